import { ConnectionIndex } from '@campaign-webhooks/connections';
import type { ConnectionSnapshot } from '@campaign-webhooks/contracts';
import type { CompactedTopicReader, PipelineRuntime } from '@campaign-webhooks/kafka';
import type { PipelineMetrics } from '@campaign-webhooks/observability';
import { Gauge } from 'prom-client';

/** How long a stage waits for its copy of the connections to catch up before it tries again. */
export const CATCH_UP_TIMEOUT_MS = 10_000;

/**
 * One service's copy of the connections, mirrored from the change feed. Each service follows the
 * feed on its own, so a later stage can be behind an earlier one: a record names the connection
 * version the filter matched it against, and a stage whose copy is older first catches up.
 */
export class ConnectionFeed {
  private running: Promise<boolean> | undefined;
  private queued: Promise<boolean> | undefined;

  constructor(
    readonly index: ConnectionIndex,
    private readonly reader: Pick<CompactedTopicReader, 'catchUp'>,
    private readonly catchUpTimeoutMs = CATCH_UP_TIMEOUT_MS,
  ) {}

  get(id: string): ConnectionSnapshot | undefined {
    return this.index.get(id);
  }

  /**
   * Whether this copy may be older than what an earlier stage saw: it holds an older version than
   * `version`, or it has never heard of the connection (a deletion it applied is no reason).
   */
  isBehind(id: string, version: number | undefined): boolean {
    const connection = this.index.get(id);
    if (connection) return version !== undefined && connection.version < version;
    return !this.index.wasDeleted(id);
  }

  /**
   * Resolves true once every change written to the feed before the call has been applied; the
   * connections named that this copy still does not hold are then gone, and later records for them
   * need not wait. Callers share one catch-up; one that arrives while a catch-up runs waits for the
   * next, since the one running may have read where the feed ended before the change it needs.
   */
  async catchUp(ids: Iterable<string> = []): Promise<boolean> {
    const caughtUp = await this.nextCatchUp();
    if (caughtUp) {
      for (const id of ids) if (!this.index.get(id)) this.index.rememberDeletion(id);
    }
    return caughtUp;
  }

  private nextCatchUp(): Promise<boolean> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    this.queued = this.running.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private startQueued(): Promise<boolean> {
    this.queued = undefined;
    return this.start();
  }

  private start(): Promise<boolean> {
    const run: Promise<boolean> = this.reader.catchUp(this.catchUpTimeoutMs).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}

/**
 * Mirrors the connections change feed into an in-memory index, so matching, rendering and
 * delivery never query the database per event.
 */
export function mirrorConnections(
  runtime: PipelineRuntime,
  topic: string,
  metrics: PipelineMetrics,
): ConnectionFeed {
  const connections = new ConnectionIndex();
  const reader = runtime.mirror({ topic, apply: (key, value) => connections.applyChange(key, value) });
  new Gauge({
    name: 'webhooks_connections_cached',
    help: 'Connections held in memory from the change feed.',
    registers: [metrics.registry],
    collect() {
      this.set(connections.size);
    },
  });
  new Gauge({
    name: 'webhooks_connection_changes_applied',
    help: 'Connection changes applied from the change feed since start.',
    registers: [metrics.registry],
    collect() {
      this.set(connections.appliedChanges);
    },
  });
  return new ConnectionFeed(connections, reader);
}
