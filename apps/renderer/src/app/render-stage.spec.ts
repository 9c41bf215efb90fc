import { ConnectionFeed } from '@campaign-webhooks/connection-feed';
import { ConnectionIndex } from '@campaign-webhooks/connections';
import { connectionSnapshot, DELIVERY_HEADERS, topicNames } from '@campaign-webhooks/contracts';
import { TransientError, type ConsumedRecord, type OutgoingRecord } from '@campaign-webhooks/kafka';
import type { ProfileStore } from '@campaign-webhooks/persistence';
import { ProfileCache } from './profile-cache';
import { RenderStage } from './render-stage';
import { TemplateCache } from './template-cache';

const topics = topicNames({});

const connection = (version: number, templates: Record<string, unknown> = {}) =>
  JSON.stringify(connectionSnapshot({ name: `version ${version}`, templates, version }));

function matched(connectionVersion: number): ConsumedRecord {
  return {
    topic: topics.matched,
    partition: 0,
    offset: '0',
    key: Buffer.from('c-1'),
    value: Buffer.from(
      JSON.stringify({
        delivery_id: 'd-1',
        connection_id: 'c-1',
        connection_version: connectionVersion,
        project_id: 'acme',
        family: 'message',
        event: 'message_send',
        time: 1_764_979_200,
        properties: { channel: 'email' },
      }),
    ),
    headers: {},
    timestamp: Date.now(),
  };
}

function stage(index: ConnectionIndex, catchUp: () => Promise<boolean>) {
  const reader = { catchUp: jest.fn(catchUp) };
  const render = new RenderStage(
    topics,
    new ConnectionFeed(index, reader),
    new TemplateCache(),
    {} as ProfileStore,
    new ProfileCache(),
    { inc: () => undefined },
  );
  return { render, reader };
}

function produced(results: Awaited<ReturnType<RenderStage['handleBatch']>>): OutgoingRecord[] {
  return results.flatMap((result) => ('produce' in result ? result.produce : []));
}

describe('RenderStage with a copy of the connections older than the filter', () => {
  it('catches up and renders a connection it had not heard of yet', async () => {
    const index = new ConnectionIndex();
    const { render, reader } = stage(index, async () => {
      index.applyChange('c-1', connection(1));
      return true;
    });

    const [delivery] = produced(await render.handleBatch([matched(1)]));

    expect(reader.catchUp).toHaveBeenCalledTimes(1);
    expect(delivery.topic).toBe(topics.deliveries);
    expect(delivery.headers?.[DELIVERY_HEADERS.connectionVersion]).toBe('1');
  });

  it('renders with the version the filter matched, not an older one it holds', async () => {
    const index = new ConnectionIndex();
    index.applyChange('c-1', connection(1));
    const { render } = stage(index, async () => {
      index.applyChange('c-1', connection(2, { message_send: { hook: '{{connection_name}}' } }));
      return true;
    });

    const [delivery] = produced(await render.handleBatch([matched(2)]));

    expect(JSON.parse(String(delivery.value))).toEqual({ hook: 'version 2' });
  });

  it('tries the batch again when the copy does not catch up', async () => {
    const { render } = stage(new ConnectionIndex(), async () => false);

    await expect(render.handleBatch([matched(1)])).rejects.toBeInstanceOf(TransientError);
  });

  it('skips a connection whose deletion its copy applied, without waiting', async () => {
    const index = new ConnectionIndex();
    index.applyChange('c-1', connection(1));
    index.applyChange('c-1', null);
    const { render, reader } = stage(index, async () => true);

    const [outcome] = produced(await render.handleBatch([matched(1)]));

    expect(reader.catchUp).not.toHaveBeenCalled();
    expect(outcome.topic).toBe(topics.outcomes);
    expect(JSON.parse(String(outcome.value))).toMatchObject({
      status: 'skipped',
      error: 'connection_deleted',
    });
  });
});
