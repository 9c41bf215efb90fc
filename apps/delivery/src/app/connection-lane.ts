import CircuitBreaker from 'opossum';

export interface LaneOptions {
  maxInFlight: number;
  /** Requests waiting for a slot, at most; past it the lane hands records to the retry path. */
  queueLimit: number;
  breakerResetMs: number;
  breakerVolumeThreshold: number;
  breakerErrorPercentage: number;
  /**
   * The rolling window the error percentage is counted over. An endpoint that was healthy
   * opens its breaker about half a window after it starts failing, once its failures outnumber
   * the successes still in the window.
   */
  breakerWindowMs: number;
  /** A disabled breaker passes every request and never opens. */
  breakerEnabled?: boolean;
}

/** Thrown inside the breaker for an attempt that should count as the endpoint failing. */
export class EndpointFailure<T> extends Error {
  constructor(readonly result: T) {
    super('endpoint failing');
  }
}

/**
 * One connection's way out: at most `maxInFlight` requests at a time, FIFO for the rest, and a
 * circuit breaker, so a slow or dead endpoint only ever holds its own deliveries.
 */
export class ConnectionLane {
  readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private active = 0;
  private readonly waiting: ((granted: boolean) => void)[] = [];
  private closed = false;
  /** When the last request finished (or the lane was made): idle is measured from here. */
  private lastUsedAt = Date.now();
  /** How long a request holds its slot, smoothed; 0 until the first one ends. */
  private meanHoldMs = 0;

  constructor(private readonly options: LaneOptions) {
    this.breaker = new CircuitBreaker((attempt: () => Promise<unknown>) => attempt(), {
      // The HTTP client enforces the delivery timeout; the breaker only counts.
      timeout: false,
      resetTimeout: options.breakerResetMs,
      volumeThreshold: options.breakerVolumeThreshold,
      errorThresholdPercentage: options.breakerErrorPercentage,
      rollingCountTimeout: options.breakerWindowMs,
      rollingCountBuckets: 10,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      enabled: options.breakerEnabled ?? true,
    });
    // Each queued request would only be refused in turn, one failed attempt after another.
    this.breaker.on('open', () => this.turnAwayWaiting());
  }

  get isOpen(): boolean {
    return this.breaker.opened;
  }

  /** Open, or half-open waiting for its trial: the endpoint is not known to be well again. */
  get isTripped(): boolean {
    return this.breaker.opened || this.breaker.halfOpen;
  }

  /** The breaker turns requests away: open, or half-open with its one trial request under way. */
  get isRefusing(): boolean {
    return this.breaker.opened || (this.breaker.halfOpen && !this.breaker.pendingClose);
  }

  get inFlight(): number {
    return this.active;
  }

  /** Takes a slot if one is free now, without waiting: the common case needs no promise. */
  tryAcquire(): boolean {
    if (this.closed || this.active >= this.options.maxInFlight || this.isRefusing) return false;
    this.active++;
    return true;
  }

  /**
   * Joins the queue for a slot when `tryAcquire` found none: resolves true once a finished
   * request hands its slot over, false if the lane turns its queue away first. Undefined when
   * the lane will not queue (queue full, breaker refusing, closing): the caller reroutes the
   * record. Not async, so a queued request holds one promise and no suspended function.
   */
  enqueue(): Promise<boolean> | undefined {
    if (this.closed || this.isRefusing) return undefined;
    if (this.tryAcquire()) return Promise.resolve(true);
    if (this.waiting.length >= this.options.queueLimit) return undefined;
    return new Promise<boolean>((grant) => this.waiting.push(grant));
  }

  /** Frees the slot of a request that held it `heldMs`, or hands it to the next in the queue. */
  release(heldMs: number): void {
    this.lastUsedAt = Date.now();
    this.meanHoldMs =
      this.meanHoldMs === 0 ? heldMs : this.meanHoldMs + HOLD_SMOOTHING * (heldMs - this.meanHoldMs);
    this.giveBack();
  }

  /** Frees a slot no request used, or hands it to the next in the queue. */
  giveBack(): void {
    if (this.isRefusing) this.turnAwayWaiting();
    // Handed over directly: a request arriving before the waiter resumes finds no free slot.
    const next = this.waiting.shift();
    if (next) next(true);
    else this.active--;
  }

  /**
   * About how long the queue takes to drain at the endpoint's recent pace: a record turned away
   * now would find room again after it.
   */
  drainEstimateMs(): number {
    return (this.waiting.length * this.meanHoldMs) / this.options.maxInFlight;
  }

  /**
   * Nothing in flight or queued, the breaker not refusing, and unused for `idleMs`. A breaker
   * half-open stays so until a trial comes, which a deleted or quiet connection never sends; a
   * new lane in its place starts closed.
   */
  isIdle(now: number, idleMs: number): boolean {
    return (
      this.active === 0 && this.waiting.length === 0 && !this.isRefusing && now - this.lastUsedAt >= idleMs
    );
  }

  /** Refuses new requests and turns away those queued; requests in flight finish. */
  close(): void {
    this.closed = true;
    this.turnAwayWaiting();
  }

  private turnAwayWaiting(): void {
    for (const turnAway of this.waiting.splice(0)) turnAway(false);
  }

  shutdown(): void {
    this.close();
    this.breaker.shutdown();
  }
}

/** The weight of the latest request in the smoothed hold time. */
const HOLD_SMOOTHING = 0.2;

/** A lane unused this long is closed and forgotten: each holds a breaker with a timer of its own. */
const LANE_IDLE_MS = 10 * 60_000;

/**
 * The lanes of the connections delivery has sent to lately. Lanes of connections that have gone
 * quiet, or been deleted, are shut down and dropped, so the breakers' timers don't pile up.
 */
export class LaneRegistry {
  private readonly lanes = new Map<string, ConnectionLane>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly idleMs = LANE_IDLE_MS) {
    this.sweeper = setInterval(() => this.evictIdle(), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  get size(): number {
    return this.lanes.size;
  }

  values(): IterableIterator<ConnectionLane> {
    return this.lanes.values();
  }

  /** The connection's lane, made by `create` if it has none. */
  get(connectionId: string, create: () => ConnectionLane): ConnectionLane {
    let lane = this.lanes.get(connectionId);
    if (!lane) this.lanes.set(connectionId, (lane = create()));
    return lane;
  }

  evictIdle(now = Date.now()): void {
    for (const [connectionId, lane] of this.lanes) {
      if (!lane.isIdle(now, this.idleMs)) continue;
      lane.shutdown();
      this.lanes.delete(connectionId);
    }
  }

  shutdown(): void {
    clearInterval(this.sweeper);
    for (const lane of this.lanes.values()) lane.shutdown();
  }
}
