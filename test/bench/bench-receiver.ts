import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readStamp } from './bench-event';
import { DeliveredSet } from './delivered-set';
import { Histogram } from './histogram';
import { routedIndex, type Topology } from './topology';

const SLOW_ANSWER_MS = 2_000;

interface PhaseLatency {
  all: Histogram;
  healthy: Histogram;
}

export interface DuplicateExample {
  seq: number;
  connection: number;
  cohort: string;
  webhookId: string | undefined;
  /** Since the first 2xx answer to the same webhook-id, while ids are kept. */
  secondsAfterFirst?: number;
}

/** Counts that only grow; phases and seconds are differences of two readings. */
export interface ReceiverCounters {
  arrivals: number;
  delivered: number;
  deliveredHealthy: number;
  duplicates: number;
  answered500: number;
  answered503: number;
  leftHanging: number;
  unreadable: number;
  /**
   * Webhooks answered 2xx at a connection the topology does not assign to their event: not
   * counted as delivered (the slot's own connection has not had it).
   */
  misrouted: number;
  ceilingRequests: number;
}

/**
 * The endpoints every connection points at: HTTP servers on several loopback ports, connection i
 * at `/c/<i>`, plus `/ceiling` for the HTTP client measured alone. Latency is taken when the
 * request's head arrives, against the scheduled send time the event carries (same process,
 * same clock). During the fault phase the fault cohorts misbehave: never answer, answer 500,
 * or answer 200 after 2 s.
 */
export class BenchReceiver {
  readonly delivered: DeliveredSet;
  /** Webhooks answered 2xx a second time: which, where, and how long after the first. */
  readonly duplicateExamples: DuplicateExample[] = [];
  /** The first few misrouted webhooks: the event, and the connection that got it. */
  readonly misroutedExamples: { seq: number; connection: number }[] = [];
  faultsActive = false;
  private frozen = false;
  private readonly servers: Server[] = [];
  private readonly phases: PhaseLatency[] = [];
  private readonly duplicatesByPhase = new Map<number, number>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly slowTimers = new Set<NodeJS.Timeout>();
  private readonly counters: ReceiverCounters = {
    arrivals: 0,
    delivered: 0,
    deliveredHealthy: 0,
    duplicates: 0,
    answered500: 0,
    answered503: 0,
    leftHanging: 0,
    unreadable: 0,
    misrouted: 0,
    ceilingRequests: 0,
  };
  /** Healthy-cohort latency of webhooks delivered during the current second. */
  private readonly second = new Histogram();

  constructor(
    private readonly topology: Topology,
    maxIds?: number,
  ) {
    this.delivered = new DeliveredSet(maxIds);
  }

  get ports(): number[] {
    return this.servers.map((server) => (server.address() as AddressInfo).port);
  }

  urlOf(connection: number): string {
    const ports = this.ports;
    return `http://127.0.0.1:${ports[connection % ports.length]}/c/${connection}`;
  }

  ceilingUrls(count: number): string[] {
    return Array.from({ length: count }, (_, index) => {
      const ports = this.ports;
      return `http://127.0.0.1:${ports[index % ports.length]}/ceiling/${index}`;
    });
  }

  /** From now on answers 503 and records nothing, so the ledger reads a state that no longer moves. */
  freeze(): void {
    this.frozen = true;
  }

  read(): ReceiverCounters {
    return { ...this.counters, duplicates: this.delivered.duplicateCount };
  }

  /** Duplicates among the webhooks of events published in `phase`. */
  duplicatesOf(phase: number): number {
    return this.duplicatesByPhase.get(phase) ?? 0;
  }

  latencyOf(phase: number): PhaseLatency {
    while (this.phases.length <= phase) this.phases.push({ all: new Histogram(), healthy: new Histogram() });
    return this.phases[phase];
  }

  /** Healthy-cohort p50/p99 (ms) of the second just ended, then starts the next. */
  takeSecond(): { p50: number; p99: number; count: number } {
    const result = {
      p50: this.second.percentile(50) / 1000,
      p99: this.second.percentile(99) / 1000,
      count: this.second.count,
    };
    this.second.reset();
    return result;
  }

  async start(portCount: number): Promise<void> {
    for (let index = 0; index < portCount; index++) {
      const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) =>
        this.onRequest(request, response),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.servers.push(server);
    }
  }

  async close(): Promise<void> {
    for (const timer of this.slowTimers) clearTimeout(timer);
    this.slowTimers.clear();
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const arrivedAt = performance.now();
    const url = request.url ?? '';
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (this.frozen) {
        response.writeHead(503).end();
        return;
      }
      if (url.startsWith('/ceiling/')) {
        this.counters.ceilingRequests++;
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const connection = url.startsWith('/c/') ? Number(url.slice(3)) : NaN;
      const stamp = readStamp(Buffer.concat(chunks).toString('utf8'));
      if (!Number.isInteger(connection) || connection >= this.topology.connections || !stamp) {
        this.counters.unreadable++;
        response.writeHead(400).end();
        return;
      }
      this.counters.arrivals++;
      const behaviour = this.faultsActive ? this.topology.faultOf[connection] : 'ok';
      const webhookId = headerText(request.headers['webhook-id']);
      const latencyUs = (arrivedAt - stamp.t0) * 1000;
      if (behaviour === 'ok') {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        this.recordDelivery(connection, stamp.seq, webhookId, stamp.phase, latencyUs);
      } else if (behaviour === 'error') {
        this.counters.answered500++;
        response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"bench"}');
      } else if (behaviour === 'unavailable') {
        this.counters.answered503++;
        response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
      } else if (behaviour === 'hang') {
        this.counters.leftHanging++;
        this.hanging.add(response);
        response.on('close', () => this.hanging.delete(response));
      } else {
        const timer = setTimeout(() => {
          this.slowTimers.delete(timer);
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        }, SLOW_ANSWER_MS);
        this.slowTimers.add(timer);
        // Only an answer that was written in full counts: the sender may have given up first.
        response.on('finish', () =>
          this.recordDelivery(connection, stamp.seq, webhookId, stamp.phase, latencyUs),
        );
      }
    });
  }

  private recordDelivery(
    connection: number,
    seq: number,
    webhookId: string | undefined,
    phase: number,
    latencyUs: number,
  ) {
    const index = routedIndex(this.topology, seq, connection);
    if (index === undefined) {
      this.counters.misrouted++;
      if (this.misroutedExamples.length < 20) this.misroutedExamples.push({ seq, connection });
      return;
    }
    const now = performance.now();
    if (!this.delivered.mark(index, webhookId, now)) {
      this.duplicatesByPhase.set(phase, this.duplicatesOf(phase) + 1);
      if (this.duplicateExamples.length < 20) {
        const first = this.delivered.firstArrivalOf(webhookId);
        this.duplicateExamples.push({
          seq,
          connection,
          cohort: this.topology.faultOf[connection],
          webhookId,
          secondsAfterFirst: first === undefined ? undefined : (now - first) / 1000,
        });
      }
      return;
    }
    this.counters.delivered++;
    const latency = this.latencyOf(phase);
    latency.all.record(latencyUs);
    if (this.topology.healthy[connection]) {
      this.counters.deliveredHealthy++;
      latency.healthy.record(latencyUs);
      this.second.record(latencyUs);
    }
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
