import type { ConnectionFeed } from '@campaign-webhooks/connection-feed';
import {
  DELIVERY_HEADERS,
  eventLabel,
  matchedEventSchema,
  skippedOutcome,
  type ConnectionSnapshot,
  type MatchedEvent,
  type TopicNames,
} from '@campaign-webhooks/contracts';
import {
  PoisonRecordError,
  TransientError,
  type BatchStage,
  type ConsumedRecord,
  type OutgoingRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import type { ScrapeTimeCounter } from '@campaign-webhooks/observability';
import {
  profileCacheKey,
  refusedAsData,
  type ProfileKey,
  type ProfileStore,
} from '@campaign-webhooks/persistence';
import { renderDefaultBody, type CompiledTemplate } from '@campaign-webhooks/templating';
import type { ProfileCache } from './profile-cache';
import type { TemplateCache } from './template-cache';

type Planned =
  | { kind: 'poison'; reason: string }
  | { kind: 'skip'; matched: MatchedEvent; reason: string }
  | {
      kind: 'render';
      matched: MatchedEvent;
      connection: ConnectionSnapshot;
      template: CompiledTemplate | null;
    };

/**
 * Turns each matched event into the exact request body its connection receives: the contract's
 * default body, or the connection's template for the event. The profiles a batch's templates need
 * are read in one query.
 */
export class RenderStage implements BatchStage {
  constructor(
    private readonly topics: TopicNames,
    private readonly connections: ConnectionFeed,
    private readonly templates: TemplateCache,
    private readonly profiles: Pick<ProfileStore, 'find'>,
    private readonly profileCache: ProfileCache,
    private readonly rendered: Pick<ScrapeTimeCounter<'event' | 'body'>, 'inc'>,
  ) {}

  async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    let plans = records.map((record) => this.plan(record));
    const stale = plans.map((plan) => this.connectionNewerThanCopy(plan));
    const named = stale.filter((id) => id !== undefined);
    if (named.length > 0) {
      if (!(await this.connections.catchUp(named)))
        throw new TransientError('connections not caught up with the change feed');
      plans = plans.map((plan, i) => (stale[i] === undefined ? plan : this.plan(records[i])));
    }
    const profiles = await this.profilesFor(plans);
    return plans.map((plan) => this.execute(plan, profiles));
  }

  private plan(record: ConsumedRecord): Planned {
    let matched: MatchedEvent;
    try {
      matched = matchedEventSchema.parse(JSON.parse(record.value?.toString('utf8') ?? 'null'));
    } catch (error) {
      return { kind: 'poison', reason: `invalid_record: ${(error as Error).message.slice(0, 500)}` };
    }
    const connection = this.connections.get(matched.connection_id);
    if (!connection) return { kind: 'skip', matched, reason: 'connection_deleted' };
    return { kind: 'render', matched, connection, template: this.templates.for(connection, matched.event) };
  }

  /**
   * The profiles the batch's templates read, by `profileCacheKey`. Kept for the batch, so a change
   * the profile stage makes to the cache meanwhile can't leave a record without its profile.
   */
  private async profilesFor(plans: Planned[]): Promise<Map<string, Record<string, unknown> | null>> {
    const wanted = new Map<string, ProfileKey>();
    for (const plan of plans) {
      if (plan.kind !== 'render' || !plan.template?.usesProfile) continue;
      const key = profileKeyOf(plan.matched);
      if (key) wanted.set(profileCacheKey(key.projectId, key.profileId), key);
    }
    try {
      return await this.profileCache.getOrRead([...wanted.values()], (missing) =>
        this.profiles.find(missing),
      );
    } catch (error) {
      const message = (error as Error).message;
      // A key PostgreSQL refuses (a NUL in an id): the batch is run again record by record, and
      // only the record that carries it is dead-lettered.
      if (refusedAsData(error))
        throw new PoisonRecordError(`invalid_record: profiles refused it: ${message}`);
      throw new TransientError(`profiles not read: ${message}`);
    }
  }

  /** The connection, if the filter matched the record against a newer one than this copy holds. */
  private connectionNewerThanCopy(plan: Planned): string | undefined {
    if (plan.kind === 'poison') return undefined;
    const { connection_id, connection_version } = plan.matched;
    return this.connections.isBehind(connection_id, connection_version) ? connection_id : undefined;
  }

  private execute(plan: Planned, profiles: Map<string, Record<string, unknown> | null>): RecordResult {
    if (plan.kind === 'poison') return { poison: plan.reason };
    if (plan.kind === 'skip') return { produce: [this.skipped(plan.matched, plan.reason)] };
    const { matched, connection, template } = plan;
    let body: string;
    if (template) {
      const key = template.usesProfile ? profileKeyOf(matched) : undefined;
      body = template.render({
        event: matched.event,
        time: matched.time,
        project_id: matched.project_id,
        connection_name: connection.name,
        properties: matched.properties,
        profile: key ? (profiles.get(profileCacheKey(key.projectId, key.profileId)) ?? null) : null,
      });
    } else {
      body = renderDefaultBody(matched);
    }
    this.rendered.inc({ event: eventLabel(matched.event), body: template ? 'template' : 'default' });
    return { produce: [this.delivery(matched, body)] };
  }

  private delivery(matched: MatchedEvent, body: string): OutgoingRecord {
    return {
      topic: this.topics.deliveries,
      key: matched.connection_id,
      value: body,
      headers: {
        [DELIVERY_HEADERS.deliveryId]: matched.delivery_id,
        [DELIVERY_HEADERS.connectionId]: matched.connection_id,
        ...(matched.connection_version === undefined
          ? {}
          : { [DELIVERY_HEADERS.connectionVersion]: String(matched.connection_version) }),
        [DELIVERY_HEADERS.projectId]: matched.project_id,
        [DELIVERY_HEADERS.event]: matched.event,
        [DELIVERY_HEADERS.attempt]: '1',
      },
    };
  }

  private skipped(matched: MatchedEvent, reason: string): OutgoingRecord {
    const { delivery_id, connection_id, project_id, event } = matched;
    const outcome = skippedOutcome({ delivery_id, connection_id, project_id, event }, reason);
    return { topic: this.topics.outcomes, key: matched.connection_id, value: JSON.stringify(outcome) };
  }
}

function profileKeyOf(matched: MatchedEvent): ProfileKey | undefined {
  const profileId = matched.properties['profile_id'];
  return typeof profileId === 'string' && profileId
    ? { projectId: matched.project_id, profileId }
    : undefined;
}
