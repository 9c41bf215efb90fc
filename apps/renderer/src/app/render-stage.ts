import type { ConnectionFeed } from '@campaign-webhooks/connection-feed';
import {
  DELIVERY_HEADERS,
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
import { refusedAsData, type ProfileKey, type ProfileStore } from '@campaign-webhooks/persistence';
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
    private readonly profiles: ProfileStore,
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
    await this.loadProfiles(plans);
    return plans.map((plan) => this.execute(plan));
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

  private async loadProfiles(plans: Planned[]): Promise<void> {
    const wanted = new Map<string, ProfileKey>();
    for (const plan of plans) {
      if (plan.kind !== 'render' || !plan.template?.usesProfile) continue;
      const key = profileKeyOf(plan.matched);
      if (key && this.profileCache.get(key.projectId, key.profileId) === undefined) {
        wanted.set(`${key.projectId}\0${key.profileId}`, key);
      }
    }
    if (wanted.size === 0) return;
    let found: Map<string, Record<string, unknown>>;
    try {
      found = await this.profiles.find([...wanted.values()]);
    } catch (error) {
      const message = (error as Error).message;
      // A key PostgreSQL refuses (a NUL in an id): the batch is run again record by record, and
      // only the record that carries it is dead-lettered.
      if (refusedAsData(error))
        throw new PoisonRecordError(`invalid_record: profiles refused it: ${message}`);
      throw new TransientError(`profiles not read: ${message}`);
    }
    for (const [id, key] of wanted)
      this.profileCache.set(key.projectId, key.profileId, found.get(id) ?? null);
  }

  /** The connection, if the filter matched the record against a newer one than this copy holds. */
  private connectionNewerThanCopy(plan: Planned): string | undefined {
    if (plan.kind === 'poison') return undefined;
    const { connection_id, connection_version } = plan.matched;
    return this.connections.isBehind(connection_id, connection_version) ? connection_id : undefined;
  }

  private execute(plan: Planned): RecordResult {
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
        profile: key ? (this.profileCache.get(key.projectId, key.profileId) ?? null) : null,
      });
    } else {
      body = renderDefaultBody(matched);
    }
    this.rendered.inc({ event: matched.event, body: template ? 'template' : 'default' });
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
