import type { WriteStream } from 'node:fs';
import {
  SERVICES,
  startService,
  stopService,
  waitUntilReady,
  type RunningService,
  type ServiceName,
  type ServiceStop,
} from '../bench/service-processes';

/**
 * The running services, by name, while the suite kills and restarts them: each restart takes
 * the same port and settings. An exit the suite did not cause is recorded, so a service that
 * dies of a fault (rather than of the suite's signal) fails the run.
 */
export class ServiceSet {
  readonly unexpectedExits: { service: string; code: number | null; signal: string | null; at: string }[] =
    [];
  private readonly current = new Map<ServiceName, RunningService>();
  private readonly replicas = new Set<RunningService>();
  private readonly stopping = new Set<number>();

  constructor(
    private readonly env: (service: ServiceName) => Record<string, string>,
    private readonly portOffset: number,
    private readonly log: WriteStream,
  ) {}

  startAll(): RunningService[] {
    return SERVICES.map(({ name }) => this.start(name));
  }

  get(name: ServiceName): RunningService {
    const service = this.current.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service;
  }

  all(): RunningService[] {
    return [...this.current.values()];
  }

  /** Stops a service with `signal` (SIGKILL after `graceMs`) and waits for it to exit. */
  async stop(name: ServiceName, signal: NodeJS.Signals, graceMs = 20_000): Promise<ServiceStop> {
    return this.stopProcess(this.get(name), signal, graceMs);
  }

  /** Starts the service again on its port and waits until /readyz answers 200; returns seconds taken. */
  async restart(name: ServiceName, readyTimeoutMs = 120_000): Promise<number> {
    const started = performance.now();
    const service = this.start(name);
    await waitUntilReady([service], readyTimeoutMs);
    return (performance.now() - started) / 1000;
  }

  /** Another process of `name` on `port`, same settings and consumer group. */
  startReplica(name: ServiceName, port: number, label: string): RunningService {
    const replica = startService(name, this.env(name), port, this.log, { label });
    this.watch(replica, label);
    this.replicas.add(replica);
    return replica;
  }

  async stopReplica(replica: RunningService, graceMs = 20_000): Promise<ServiceStop> {
    const stop = await this.stopProcess(replica, 'SIGTERM', graceMs);
    this.replicas.delete(replica);
    return stop;
  }

  /** SIGTERM to everything still running (SIGKILL after the grace period). */
  async stopAll(graceMs = 20_000): Promise<ServiceStop[]> {
    const running = [...this.replicas, ...this.current.values()];
    return Promise.all(running.map((service) => this.stopProcess(service, 'SIGTERM', graceMs)));
  }

  private start(name: ServiceName): RunningService {
    const port = (SERVICES.find((service) => service.name === name)?.port ?? NaN) + this.portOffset;
    const service = startService(name, this.env(name), port, this.log);
    this.watch(service, name);
    this.current.set(name, service);
    return service;
  }

  private stopProcess(
    service: RunningService,
    signal: NodeJS.Signals,
    graceMs: number,
  ): Promise<ServiceStop> {
    this.stopping.add(service.pid);
    return stopService(service, graceMs, signal);
  }

  private watch(service: RunningService, label: string): void {
    service.child.once('exit', (code, signal) => {
      if (this.stopping.has(service.pid)) return;
      this.unexpectedExits.push({ service: label, code, signal, at: new Date().toISOString() });
      this.log.write(`[fault suite] ${label} (pid ${service.pid}) exited on its own: ${code ?? signal}\n`);
    });
  }
}
