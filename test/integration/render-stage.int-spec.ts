import { randomUUID } from 'node:crypto';
import { ConnectionFeed } from '@campaign-webhooks/connection-feed';
import { ConnectionIndex } from '@campaign-webhooks/connections';
import { connectionSnapshot, topicNames } from '@campaign-webhooks/contracts';
import { PoisonRecordError, type ConsumedRecord } from '@campaign-webhooks/kafka';
import { dataSourceOptions, ProfileStore } from '@campaign-webhooks/persistence';
import { DataSource } from 'typeorm';
import { ProfileCache } from '../../apps/renderer/src/app/profile-cache';
import { RenderStage } from '../../apps/renderer/src/app/render-stage';
import { TemplateCache } from '../../apps/renderer/src/app/template-cache';

// The renderer's render stage reading profiles from the real, migrated database.
describe('render stage with profiles in PostgreSQL', () => {
  const topics = topicNames({});
  const connectionId = randomUUID();
  let dataSource: DataSource;
  let profiles: ProfileStore;
  let stage: RenderStage;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(process.env['DATABASE_URL'] ?? ''));
    await dataSource.initialize();
    profiles = new ProfileStore(dataSource);
    const index = new ConnectionIndex();
    index.applyChange(
      connectionId,
      JSON.stringify(
        connectionSnapshot({
          id: connectionId,
          templates: { message_send: { greeting: 'Hello {{profile.first_name}}' } },
        }),
      ),
    );
    stage = new RenderStage(
      topics,
      new ConnectionFeed(index, { catchUp: () => Promise.resolve(true) }),
      new TemplateCache(),
      profiles,
      new ProfileCache(),
      { inc: () => undefined },
    );
  });

  afterAll(() => dataSource.destroy());

  const matched = (profileId: string): ConsumedRecord => ({
    topic: topics.matched,
    partition: 0,
    offset: '0',
    key: Buffer.from(connectionId),
    value: Buffer.from(
      JSON.stringify({
        delivery_id: randomUUID(),
        connection_id: connectionId,
        connection_version: 1,
        project_id: 'acme',
        family: 'message',
        event: 'message_send',
        time: 1_764_979_200,
        properties: { message_type: 'email', profile_id: profileId },
      }),
    ),
    headers: {},
    timestamp: Date.now(),
  });

  it('refuses a batch whose profile lookup PostgreSQL refuses as poison, so that the record alone is dead-lettered', async () => {
    const profileId = `p-${randomUUID()}`;
    await profiles.apply(
      [{ projectId: 'acme', profileId, attributes: { first_name: 'Ada' }, updatedAt: 1 }],
      [],
    );

    // A NUL character: PostgreSQL cannot hold one in text, so the query itself is refused.
    await expect(stage.handleBatch([matched('p-\u0000'), matched(profileId)])).rejects.toThrow(
      PoisonRecordError,
    );
    // The consumer then runs each record alone: the one with the NUL is refused again, the other
    // renders.
    await expect(stage.handleBatch([matched('p-\u0000')])).rejects.toThrow(PoisonRecordError);
    const [result] = await stage.handleBatch([matched(profileId)]);
    expect(result).toMatchObject({ produce: [{ topic: topics.deliveries }] });
    const [delivery] = 'produce' in result ? result.produce : [];
    expect(JSON.parse(String(delivery.value))).toEqual({ greeting: 'Hello Ada' });
  });
});
