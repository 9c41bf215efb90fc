import { ConnectionFeed } from '@campaign-webhooks/connection-feed';
import { ConnectionIndex } from '@campaign-webhooks/connections';
import { connectionSnapshot, topicNames } from '@campaign-webhooks/contracts';
import type { ConsumedRecord } from '@campaign-webhooks/kafka';
import { ProfileCache } from './profile-cache';
import { ProfileStage } from './profile-stage';
import { InMemoryProfileStore } from './profile-store.fixture';
import { RenderStage } from './render-stage';
import { TemplateCache } from './template-cache';

const topics = topicNames({});

function consumed(topic: string, key: string, value: object | null): ConsumedRecord {
  return {
    topic,
    partition: 0,
    offset: '0',
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(JSON.stringify(value)),
    headers: {},
    timestamp: 0,
  };
}

const update = (profileId: string, attributes: object, updatedAt: number) =>
  consumed(topics.profiles, profileId, {
    project_id: 'acme',
    profile_id: profileId,
    attributes,
    updated_at: updatedAt,
  });
const tombstone = (profileId: string) => consumed(topics.profiles, profileId, null);
/** A profile stored, not cached: another replica consumed it. */
const ada = { projectId: 'acme', profileId: 'p-1', attributes: { first_name: 'Ada' }, updatedAt: 1 };

/** The profile stage and the render stage of one renderer: one store, one cache. */
function renderer() {
  const store = new InMemoryProfileStore();
  const cache = new ProfileCache();
  const index = new ConnectionIndex();
  index.applyChange(
    'c-1',
    JSON.stringify(
      connectionSnapshot({
        id: 'c-1',
        version: 1,
        templates: { message_send: { first_name: '{{profile.first_name}}' } },
      }),
    ),
  );
  const renderStage = new RenderStage(
    topics,
    new ConnectionFeed(index, { catchUp: async () => true }),
    new TemplateCache(),
    store,
    cache,
    { inc: () => undefined },
  );
  /** The body rendered for a message to the profile. */
  const render = async (profileId: string): Promise<unknown> => {
    const [result] = await renderStage.handleBatch([
      consumed(topics.matched, 'c-1', {
        delivery_id: 'd-1',
        connection_id: 'c-1',
        connection_version: 1,
        project_id: 'acme',
        family: 'message',
        event: 'message_send',
        time: 1_764_979_200,
        properties: { message_type: 'email', profile_id: profileId },
      }),
    ]);
    if (!('produce' in result)) throw new Error(`not rendered: ${JSON.stringify(result)}`);
    return JSON.parse(String(result.produce[0].value));
  };
  /** Holds the store's reads until the returned function is called, as a slow query would. */
  const holdReads = () => {
    let release!: () => void;
    store.readsWaitFor = new Promise<void>((resolve) => (release = resolve));
    return () => {
      store.readsWaitFor = undefined;
      release();
    };
  };
  return { store, cache, profileStage: new ProfileStage(store, cache), render, holdReads };
}

describe('ProfileStage', () => {
  it('forgets 10,000 deleted profiles among 100,000 cached entries without walking the cache for each', async () => {
    const { cache, profileStage } = renderer();
    for (let i = 0; i < 90_000; i++) cache.set('acme', `p-${i}`, { first_name: 'Ada' });
    for (let i = 0; i < 10_000; i++) cache.set('globex', `p-${i}`, { first_name: 'Ada' });
    const tombstones = Array.from({ length: 10_000 }, (_, i) => tombstone(`p-${i}`));

    const started = performance.now();
    await profileStage.handleBatch(tombstones);
    const elapsedMs = performance.now() - started;

    // Walking every entry for each tombstone takes seconds; looking each profile up, milliseconds.
    expect(elapsedMs).toBeLessThan(1000);
    expect(cache.get('acme', 'p-0')).toBeUndefined();
    expect(cache.get('globex', 'p-9999')).toBeUndefined();
    expect(cache.get('acme', 'p-10000')).toEqual({ first_name: 'Ada' });
  });

  it('renders the profile the store kept when an older update arrives after a newer one', async () => {
    const { store, profileStage, render } = renderer();
    await profileStage.handleBatch([update('p-1', { first_name: 'Grace' }, 2)]);
    await profileStage.handleBatch([update('p-1', { first_name: 'Ada' }, 1)]);

    const stored = (await store.find([{ projectId: 'acme', profileId: 'p-1' }])).get('acme\0p-1');
    expect(stored).toEqual({ first_name: 'Grace' });
    expect(await render('p-1')).toEqual({ first_name: 'Grace' });
  });
});

describe('a profile changed while a render reads it', () => {
  it('is not rendered again after its deletion by the read that began before', async () => {
    const { store, profileStage, render, holdReads } = renderer();
    await store.apply([ada], []);
    const releaseReads = holdReads();

    const rendering = render('p-1');
    await profileStage.handleBatch([tombstone('p-1')]);
    releaseReads();
    await rendering;

    expect(await render('p-1')).toEqual({ first_name: null });
  });

  it('is rendered as updated, not as the read that began before the update saw it', async () => {
    const { store, profileStage, render, holdReads } = renderer();
    await store.apply([ada], []);
    const releaseReads = holdReads();

    const rendering = render('p-1');
    await profileStage.handleBatch([update('p-1', { first_name: 'Grace' }, 2)]);
    releaseReads();
    await rendering;

    expect(await render('p-1')).toEqual({ first_name: 'Grace' });
  });
});
