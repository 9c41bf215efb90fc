import {
  connectionSnapshot,
  type Alert,
  type AlertKind,
  type ConnectionSnapshot,
  type OutcomeStatus,
} from '@campaign-webhooks/contracts';
import type { AttemptsSince, DeliveryLog } from './delivery-log';
import { IncidentNotifier } from './incident-notifier';
import type { FailureKind, Incident, NotificationKind } from './incident-policy';
import type { IncidentStore } from './incident-store';
import { RecipientRejectedError, type Email, type Mailer } from './mailer';

const INTERVAL_MS = 60 * 60_000;
const START = Date.UTC(2025, 10, 27, 9, 0, 0);

/** The store's contract, kept in memory. */
class MemoryIncidentStore implements IncidentStore {
  readonly rows = new Map<string, Incident>();
  readonly claims = new Map<string, Date>();

  /** Claims lapse by the store's clock. */
  constructor(private readonly now: () => number) {}

  async find(connectionId: string) {
    const row = this.rows.get(connectionId);
    return row ? { ...row } : undefined;
  }

  async listOpen() {
    return [...this.rows.values()]
      .filter((row) => row.resolvedAt === null)
      .sort((a, b) => a.lastSentAt.getTime() - b.lastSentAt.getTime())
      .map((row) => ({ ...row }));
  }

  async open(incident: Incident) {
    this.rows.set(incident.connectionId, { ...incident, resolvedAt: null });
    this.claims.delete(incident.connectionId);
  }

  async update(
    connectionId: string,
    changes: Partial<{ kind: FailureKind; lastError: string; email: string; lastSentAt: Date }>,
  ) {
    const row = this.rows.get(connectionId);
    if (row && row.resolvedAt === null) Object.assign(row, changes);
  }

  async claim(connectionId: string, leaseMs: number) {
    const row = this.rows.get(connectionId);
    const held = this.claims.get(connectionId);
    const now = this.now();
    if (!row || row.resolvedAt !== null || (held && held.getTime() > now)) return undefined;
    const until = new Date(now + leaseMs);
    this.claims.set(connectionId, until);
    return { incident: { ...row }, until };
  }

  async release(connectionId: string, until: Date) {
    if (this.claims.get(connectionId)?.getTime() === until.getTime()) this.claims.delete(connectionId);
  }

  async resolve(connectionId: string, resolvedAt: Date) {
    const row = this.rows.get(connectionId);
    if (row && row.resolvedAt === null) row.resolvedAt = resolvedAt;
  }
}

interface LoggedAttempt {
  connectionId: string;
  status: OutcomeStatus;
  error: string | null;
  time: Date;
}

/** The delivery log's contract, kept in memory; counts the queries asked of it. */
class MemoryDeliveryLog implements DeliveryLog {
  readonly attempts: LoggedAttempt[] = [];
  readonly queries: Pick<Incident, 'connectionId' | 'since'>[][] = [];

  async attemptsSince(incidents: readonly Pick<Incident, 'connectionId' | 'since'>[]) {
    this.queries.push(incidents.map(({ connectionId, since }) => ({ connectionId, since })));
    const answers = new Map<string, AttemptsSince>();
    for (const { connectionId, since } of incidents) {
      const after = this.attempts
        .filter((row) => row.connectionId === connectionId && row.time.getTime() > since.getTime())
        .sort((a, b) => b.time.getTime() - a.time.getTime());
      const delivered = after.find((row) => row.status === 'delivered');
      const failed = after.find((row) => row.status !== 'delivered' && row.status !== 'skipped' && row.error);
      answers.set(connectionId, {
        deliveredAt: delivered?.time ?? null,
        lastError: failed?.error ?? null,
      });
    }
    return answers;
  }
}

class FakeMailer implements Mailer {
  readonly sent: Email[] = [];
  failure?: Error;
  /** How long the server takes to accept an email. */
  delayMs = 0;

  async send(email: Email) {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failure) throw this.failure;
    this.sent.push(email);
  }

  close() {
    return undefined;
  }
}

function connection(overrides: Partial<ConnectionSnapshot> = {}): ConnectionSnapshot {
  return connectionSnapshot({
    url: 'https://hooks.example.com/xp?key=s3cret',
    auth_type: 'basic',
    credentials: 'sealed-ciphertext',
    notify_on_error_email: 'ops@example.com',
    updated_at: new Date(START).toISOString(),
    ...overrides,
  });
}

/** A notifier with fakes around it and a clock the test moves. */
function setup({
  store = undefined as MemoryIncidentStore | undefined,
  deliveryLog = new MemoryDeliveryLog(),
  connections = [connection()],
} = {}) {
  const clock = { now: START };
  store ??= new MemoryIncidentStore(() => clock.now);
  const mailer = new FakeMailer();
  const counts = { sent: [] as NotificationKind[], failed: [] as NotificationKind[] };
  const index = new Map(connections.map((c) => [c.id, c]));
  const notifier = new IncidentNotifier({
    store,
    deliveryLog,
    mailer,
    connections: { get: (id) => index.get(id) },
    intervalMs: INTERVAL_MS,
    counters: { sent: (kind) => counts.sent.push(kind), failed: (kind) => counts.failed.push(kind) },
    log: { info: () => undefined, warn: () => undefined },
    now: () => new Date(clock.now),
  });
  const advance = (ms: number) => {
    clock.now += ms;
  };
  const alert = (kind: AlertKind, overrides: Partial<Alert> = {}): Alert => ({
    connection_id: 'c-1',
    project_id: 'acme',
    kind,
    message: kind === 'endpoint_failing' ? '3 attempts failed in a row; last: http_500' : `${kind} message`,
    since: new Date(START - 5_000).toISOString(),
    time: new Date(clock.now).toISOString(),
    ...overrides,
  });
  /** An attempt the delivery log holds, at the current time unless told. */
  const logAttempt = (status: OutcomeStatus, overrides: Partial<LoggedAttempt> = {}) => {
    deliveryLog.attempts.push({
      connectionId: 'c-1',
      status,
      error: status === 'delivered' ? null : 'http_503',
      time: new Date(clock.now),
      ...overrides,
    });
  };
  return { notifier, store, deliveryLog, mailer, counts, index, clock, advance, alert, logAttempt };
}

/**
 * An endpoint that fails three times, then succeeds, every 3 s (30 % errors at most, so the
 * breaker never opens): the alerts delivery raises for that, the attempts in the log, and a tick
 * every minute.
 */
async function flap(subject: ReturnType<typeof setup>, minutes: number) {
  const { notifier, clock, advance, alert, logAttempt } = subject;
  for (let cycle = 0; cycle < (minutes * 60_000) / 3000; cycle++) {
    const since = new Date(clock.now).toISOString();
    for (let failure = 1; failure <= 3; failure++) {
      logAttempt('retrying');
      if (failure === 3) await notifier.handleAlert(alert('endpoint_failing', { since }));
      advance(500);
    }
    if (cycle % 20 === 0) await notifier.checkOpenIncidents();
    logAttempt('delivered');
    await notifier.handleAlert(alert('recovered', { since }));
    advance(1500);
  }
}

describe('IncidentNotifier', () => {
  it('emails once when an endpoint starts failing, naming the connection and never its secrets', async () => {
    const { notifier, mailer, store, counts, alert } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));

    expect(mailer.sent).toHaveLength(1);
    const [email] = mailer.sent;
    expect(email.to).toBe('ops@example.com');
    expect(email.subject).toBe('[campaign-webhooks] Webhook "CRM sync" is failing');
    expect(email.text).toContain('https://hooks.example.com/xp?…');
    expect(email.text).toContain('endpoint_failing');
    expect(email.text).toContain(new Date(START - 5_000).toISOString());
    expect(email.text).toContain('last: http_500');
    expect(email.text).not.toContain('s3cret');
    expect(email.text).not.toContain('sealed-ciphertext');
    expect(counts.sent).toEqual(['failing']);
    expect(store.rows.get('c-1')).toMatchObject({
      kind: 'endpoint_failing',
      lastSentAt: new Date(START),
      resolvedAt: null,
    });
  });

  it('says nothing about connections without an address, or deactivated ones, but keeps their incidents', async () => {
    const { notifier, mailer, store, advance, alert } = setup({
      connections: [
        connection(),
        connection({ id: 'c-2', notify_on_error_email: null }),
        connection({ id: 'c-3', active: false }),
      ],
    });
    await notifier.handleAlert(alert('endpoint_failing', { connection_id: 'c-2' }));
    await notifier.handleAlert(alert('auth_failure', { connection_id: 'c-3' }));
    await notifier.handleAlert(alert('endpoint_failing', { connection_id: 'deleted' }));
    advance(INTERVAL_MS);
    await notifier.checkOpenIncidents();
    expect(mailer.sent).toHaveLength(0);
    expect(store.rows.get('c-2')?.resolvedAt).toBeNull();
    expect(store.rows.get('c-3')?.resolvedAt).toBeNull();
    expect(store.rows.get('deleted')?.resolvedAt).not.toBeNull();
  });

  it('emails about an endpoint still failing once it has an address, or is active again', async () => {
    const { notifier, mailer, index, advance, alert } = setup({
      connections: [connection({ notify_on_error_email: null }), connection({ id: 'c-2', active: false })],
    });
    await notifier.handleAlert(alert('endpoint_failing'));
    await notifier.handleAlert(alert('auth_failure', { connection_id: 'c-2' }));
    advance(60_000);
    await notifier.checkOpenIncidents();
    expect(mailer.sent).toHaveLength(0);

    index.set('c-1', connection({ notify_on_error_email: 'late@example.com' }));
    index.set('c-2', connection({ id: 'c-2' }));
    advance(15_000);
    await notifier.checkOpenIncidents();
    expect(mailer.sent.map(({ to, subject }) => [to, subject])).toEqual([
      ['late@example.com', '[campaign-webhooks] Webhook "CRM sync" is failing'],
      ['ops@example.com', '[campaign-webhooks] Webhook "CRM sync" is failing'],
    ]);

    await notifier.handleAlert(alert('recovered'));
    expect(mailer.sent[2].subject).toContain('has recovered');
  });

  it('ends an incident nobody was told about without a resolved email', async () => {
    const { notifier, mailer, store, index, advance, alert, logAttempt } = setup({
      connections: [connection({ notify_on_error_email: null })],
    });
    await notifier.handleAlert(alert('endpoint_failing'));
    advance(1000);
    logAttempt('delivered');
    index.set('c-1', connection());
    await notifier.checkOpenIncidents();
    expect(store.rows.get('c-1')?.resolvedAt).not.toBeNull();
    advance(INTERVAL_MS);
    await notifier.checkOpenIncidents();
    expect(mailer.sent).toHaveLength(0);
  });

  it('sends one email per streak, whatever alerts follow', async () => {
    const { notifier, mailer, store, alert } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));
    await notifier.handleAlert(alert('circuit_open', { message: 'circuit breaker opened' }));
    expect(store.rows.get('c-1')).toMatchObject({
      kind: 'circuit_open',
      lastError: '3 attempts failed in a row; last: http_500',
    });
    await notifier.handleAlert(alert('auth_failure', { message: 'http_401' }));
    expect(mailer.sent).toHaveLength(1);
    expect(store.rows.get('c-1')).toMatchObject({ kind: 'auth_failure', lastError: 'http_401' });
  });

  it('repeats every interval while failing, then sends one resolved email and stops', async () => {
    const { notifier, mailer, counts, advance, alert } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));

    advance(INTERVAL_MS - 1);
    await notifier.checkOpenIncidents();
    expect(mailer.sent).toHaveLength(1);

    advance(1);
    await notifier.checkOpenIncidents();
    await notifier.checkOpenIncidents();
    expect(mailer.sent.map((email) => email.subject)).toEqual([
      '[campaign-webhooks] Webhook "CRM sync" is failing',
      '[campaign-webhooks] Webhook "CRM sync" is still failing',
    ]);
    expect(mailer.sent[1].text).toContain('(1 h ago)');

    advance(INTERVAL_MS);
    await notifier.checkOpenIncidents();
    expect(mailer.sent).toHaveLength(3);

    advance(60_000);
    await notifier.handleAlert(alert('recovered'));
    expect(mailer.sent[3].subject).toBe('[campaign-webhooks] Webhook "CRM sync" has recovered');
    expect(mailer.sent[3].text).toContain('a delivery succeeded at');

    advance(5 * INTERVAL_MS);
    await notifier.checkOpenIncidents();
    await notifier.handleAlert(alert('recovered'));
    expect(mailer.sent).toHaveLength(4);
    expect(counts.sent).toEqual(['failing', 'repeat', 'repeat', 'resolved']);
  });

  it('propagates a mail outage on an alert so that the alert is retried, and stores nothing meanwhile', async () => {
    const { notifier, mailer, store, counts, alert } = setup();
    mailer.failure = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ESOCKET' });
    await expect(notifier.handleAlert(alert('endpoint_failing'))).rejects.toThrow('ECONNREFUSED');
    expect(store.rows.size).toBe(0);
    expect(counts.failed).toEqual(['failing']);

    mailer.failure = undefined;
    await notifier.handleAlert(alert('endpoint_failing'));
    expect(mailer.sent).toHaveLength(1);
  });

  it('keeps the incident open when the resolved email cannot be sent, until it can', async () => {
    const { notifier, mailer, store, advance, alert } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));
    advance(1000);
    mailer.failure = new Error('greeting never received');
    await expect(notifier.handleAlert(alert('recovered'))).rejects.toThrow('greeting');
    expect(store.rows.get('c-1')?.resolvedAt).toBeNull();

    mailer.failure = undefined;
    await notifier.handleAlert(alert('recovered'));
    expect(mailer.sent.map((email) => email.subject)).toContain(
      '[campaign-webhooks] Webhook "CRM sync" has recovered',
    );
    expect(store.rows.get('c-1')?.resolvedAt).toEqual(new Date(START + 1000));
  });

  it('tolerates a mail outage on a repeat and tries again on the next tick', async () => {
    const { notifier, mailer, store, counts, advance, alert } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));
    advance(INTERVAL_MS);
    mailer.failure = new Error('connection timeout');
    await expect(notifier.checkOpenIncidents()).resolves.toBeUndefined();
    expect(store.rows.get('c-1')?.lastSentAt).toEqual(new Date(START));
    expect(counts.failed).toEqual(['repeat']);

    mailer.failure = undefined;
    advance(60_000);
    await notifier.checkOpenIncidents();
    expect(mailer.sent.map((email) => email.subject)[1]).toContain('is still failing');
    expect(store.rows.get('c-1')?.lastSentAt).toEqual(new Date(START + INTERVAL_MS + 60_000));
  });

  it('treats a recipient the server refuses for good as notified, so nothing waits on it', async () => {
    const { notifier, mailer, store, counts, alert } = setup();
    mailer.failure = new RecipientRejectedError('550 no such user');
    await notifier.handleAlert(alert('endpoint_failing'));
    expect(counts.failed).toEqual(['failing']);
    expect(store.rows.get('c-1')?.resolvedAt).toBeNull();
  });

  it('is idempotent when a batch of alerts is handled again after a retry', async () => {
    const { notifier, mailer, advance, alert } = setup();
    const failing = alert('endpoint_failing');
    advance(2000);
    const recovered = alert('recovered');
    for (let pass = 0; pass < 2; pass++) {
      await notifier.handleAlert(failing);
      await notifier.handleAlert(recovered);
    }
    expect(mailer.sent.map((email) => email.subject)).toEqual([
      '[campaign-webhooks] Webhook "CRM sync" is failing',
      '[campaign-webhooks] Webhook "CRM sync" has recovered',
    ]);
  });

  it('emails at once about a new outage after a healthy interval', async () => {
    const { notifier, mailer, advance, alert } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));
    advance(1000);
    await notifier.handleAlert(alert('recovered'));
    advance(INTERVAL_MS);
    await notifier.handleAlert(
      alert('auth_failure', { since: new Date(START + INTERVAL_MS).toISOString(), message: 'http_401' }),
    );
    expect(mailer.sent).toHaveLength(3);
    expect(mailer.sent[2].subject).toContain('is failing');
    expect(mailer.sent[2].text).toContain('auth_failure');
    expect(mailer.sent[2].text).toContain('http_401');
  });

  it('sends at most one failing and one resolved email per interval while an endpoint flaps', async () => {
    const subject = setup();
    await flap(subject, 10);
    expect(subject.counts.sent).toEqual(['failing', 'resolved']);

    await flap(subject, 120);
    expect(subject.counts.sent).toEqual([
      ...['failing', 'resolved'],
      ...['failing', 'resolved'],
      ...['failing', 'resolved'],
    ]);
  });

  it('tells of an outage that begins soon after a resolved one when the interval has passed', async () => {
    const { notifier, mailer, counts, advance, alert } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));
    advance(1000);
    await notifier.handleAlert(alert('recovered'));
    advance(60_000);
    await notifier.handleAlert(alert('endpoint_failing', { since: new Date(START + 30_000).toISOString() }));
    expect(counts.sent).toEqual(['failing', 'resolved']);

    advance(INTERVAL_MS - 61_000);
    await notifier.checkOpenIncidents();
    expect(counts.sent).toEqual(['failing', 'resolved', 'failing']);
    expect(mailer.sent[2].subject).toContain('is failing');
    expect(mailer.sent[2].text).toContain(new Date(START + 30_000).toISOString());

    advance(INTERVAL_MS);
    await notifier.checkOpenIncidents();
    expect(counts.sent).toEqual(['failing', 'resolved', 'failing', 'repeat']);
  });

  it('reopens for an alert raised after the success that ended the incident, even with an older since', async () => {
    // A delivery replica that held a stale streak announces a new outage with that streak's start.
    const { notifier, mailer, store, advance, alert, logAttempt } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));
    advance(1000);
    logAttempt('delivered');
    await notifier.handleAlert(alert('recovered'));
    advance(INTERVAL_MS);
    await notifier.handleAlert(alert('endpoint_failing', { since: new Date(START - 60_000).toISOString() }));
    expect(mailer.sent.map((email) => email.subject)[2]).toContain('is failing');

    // The success that ended the last incident does not end this one.
    await notifier.checkOpenIncidents();
    expect(store.rows.get('c-1')?.resolvedAt).toBeNull();
    expect(mailer.sent).toHaveLength(3);
  });

  it('does not reopen for an alert replayed after the incident ended, however late', async () => {
    const { notifier, mailer, advance, alert } = setup();
    const failing = alert('endpoint_failing');
    await notifier.handleAlert(failing);
    advance(1000);
    await notifier.handleAlert(alert('recovered'));
    advance(2 * INTERVAL_MS);
    await notifier.handleAlert(failing);
    await notifier.checkOpenIncidents();
    expect(mailer.sent).toHaveLength(2);
  });

  it('ignores a recovered alert about an older streak', async () => {
    const { notifier, mailer, alert } = setup();
    await notifier.handleAlert(alert('endpoint_failing', { since: new Date(START).toISOString() }));
    await notifier.handleAlert(alert('recovered', { time: new Date(START - 1).toISOString() }));
    expect(mailer.sent).toHaveLength(1);
  });

  it('ends the incident at the next tick when the delivery log shows a delivery since it began, with no recovered alert', async () => {
    const { notifier, mailer, store, counts, advance, alert, logAttempt } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));
    advance(1000);
    logAttempt('retrying');
    logAttempt('delivered');
    logAttempt('delivered', { connectionId: 'other' });
    expect(mailer.sent).toHaveLength(1);

    advance(500);
    await notifier.checkOpenIncidents();
    expect(mailer.sent.map((email) => email.subject)[1]).toBe(
      '[campaign-webhooks] Webhook "CRM sync" has recovered',
    );
    // Resolved as of the delivery, which alerts raised later are weighed against.
    expect(store.rows.get('c-1')?.resolvedAt).toEqual(new Date(START + 1000));
    expect(counts.sent).toEqual(['failing', 'resolved']);

    // Neither the recovered alert that may follow nor later ticks send anything more.
    await notifier.handleAlert(alert('recovered'));
    advance(INTERVAL_MS);
    await notifier.checkOpenIncidents();
    expect(mailer.sent).toHaveLength(2);
  });

  it('does not end the incident on a delivery the log holds from before it began', async () => {
    const { notifier, mailer, store, advance, alert, logAttempt } = setup();
    logAttempt('delivered', { time: new Date(START - 60_000) });
    logAttempt('delivered', { time: new Date(START - 5_000) });
    await notifier.handleAlert(alert('endpoint_failing', { since: new Date(START - 5_000).toISOString() }));

    advance(INTERVAL_MS);
    await notifier.checkOpenIncidents();
    expect(mailer.sent.map((email) => email.subject)).toEqual([
      '[campaign-webhooks] Webhook "CRM sync" is failing',
      '[campaign-webhooks] Webhook "CRM sync" is still failing',
    ]);
    expect(store.rows.get('c-1')?.resolvedAt).toBeNull();
  });

  it('keeps the last error current from the failed attempts in the log, for the next repeat', async () => {
    const { notifier, mailer, store, advance, alert, logAttempt } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));
    logAttempt('failed', { error: 'before the streak', time: new Date(START - 10_000) });
    advance(1000);
    logAttempt('retrying', { error: 'timeout: headers timeout' });
    await notifier.checkOpenIncidents();
    expect(store.rows.get('c-1')?.lastError).toBe('timeout: headers timeout');
    expect(mailer.sent).toHaveLength(1);

    advance(1000);
    logAttempt('failed', { error: 'retries_exhausted: http_502' });
    advance(1000);
    logAttempt('skipped', { error: 'connection_inactive' });
    logAttempt('retrying', { error: null });
    // The repeat that falls due in the same tick already carries the newest error.
    advance(INTERVAL_MS);
    await notifier.checkOpenIncidents();
    expect(store.rows.get('c-1')?.lastError).toBe('retries_exhausted: http_502');
    expect(mailer.sent[1].subject).toContain('is still failing');
    expect(mailer.sent[1].text).toContain('retries_exhausted: http_502');
  });

  it('reads the delivery log once per tick for all open incidents, and not at all without one', async () => {
    const { notifier, deliveryLog, store, advance, alert, logAttempt } = setup({
      connections: ['c-1', 'c-2', 'c-3'].map((id) => connection({ id })),
    });
    for (const id of ['c-1', 'c-2', 'c-3']) {
      await notifier.handleAlert(alert('endpoint_failing', { connection_id: id }));
      advance(1000);
    }
    await notifier.checkOpenIncidents();
    const since = new Date(START - 5_000);
    expect(deliveryLog.queries).toEqual([
      ['c-1', 'c-2', 'c-3'].map((connectionId) => ({ connectionId, since })),
    ]);

    for (const id of ['c-1', 'c-2', 'c-3']) logAttempt('delivered', { connectionId: id });
    advance(1000);
    await notifier.checkOpenIncidents();
    expect(deliveryLog.queries).toHaveLength(2);
    expect([...store.rows.values()].every((row) => row.resolvedAt !== null)).toBe(true);

    await notifier.checkOpenIncidents();
    expect(deliveryLog.queries).toHaveLength(2);
  });

  it('keeps an incident the log shows ended open while the resolved email cannot be sent', async () => {
    const { notifier, mailer, store, counts, advance, alert, logAttempt } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));
    advance(1000);
    logAttempt('delivered');
    mailer.failure = new Error('connection timeout');
    await expect(notifier.checkOpenIncidents()).resolves.toBeUndefined();
    expect(store.rows.get('c-1')).toMatchObject({ resolvedAt: null, lastSentAt: new Date(START) });
    expect(counts.failed).toEqual(['resolved']);

    mailer.failure = undefined;
    advance(15_000);
    await notifier.checkOpenIncidents();
    expect(mailer.sent.map((email) => email.subject)[1]).toContain('has recovered');
    expect(store.rows.get('c-1')?.resolvedAt).toEqual(new Date(START + 1000));
  });

  it('picks up where it left off after a restart: same schedule, the delivery log still ends the incident', async () => {
    const first = setup();
    await first.notifier.handleAlert(first.alert('endpoint_failing'));

    const second = setup({ store: first.store, deliveryLog: first.deliveryLog });
    second.advance(INTERVAL_MS / 2);
    await second.notifier.checkOpenIncidents();
    expect(second.mailer.sent).toHaveLength(0);
    second.advance(INTERVAL_MS / 2);
    await second.notifier.checkOpenIncidents();
    expect(second.mailer.sent.map((email) => email.subject)).toEqual([
      '[campaign-webhooks] Webhook "CRM sync" is still failing',
    ]);

    second.logAttempt('delivered');
    await second.notifier.checkOpenIncidents();
    expect(second.mailer.sent.map((email) => email.subject)[1]).toContain('has recovered');
  });

  it('sends each repeat once when replicas share the store', async () => {
    const one = setup();
    await one.notifier.handleAlert(one.alert('endpoint_failing'));
    const two = setup({ store: one.store });
    one.advance(INTERVAL_MS);
    two.advance(INTERVAL_MS);
    await Promise.all([one.notifier.checkOpenIncidents(), two.notifier.checkOpenIncidents()]);
    expect(one.mailer.sent.length + two.mailer.sent.length).toBe(2);
  });

  /** Two replicas sharing the store and the log, an open incident, and a success a second later. */
  async function twoReplicasAfterASuccess() {
    const one = setup();
    await one.notifier.handleAlert(one.alert('endpoint_failing'));
    const two = setup({ store: one.store, deliveryLog: one.deliveryLog });
    one.advance(1000);
    two.advance(1000);
    one.logAttempt('delivered');
    return { one, two };
  }

  it('sends one resolved email when replicas sharing the store find the same success in the log', async () => {
    const { one, two } = await twoReplicasAfterASuccess();
    await Promise.all([one.notifier.checkOpenIncidents(), two.notifier.checkOpenIncidents()]);
    expect([...one.counts.sent, ...two.counts.sent]).toEqual(['failing', 'resolved']);
    expect(one.store.rows.get('c-1')?.resolvedAt).toEqual(new Date(START + 1000));
  });

  it('sends one resolved email when a recovered alert and a tick of another replica come together', async () => {
    const { one, two } = await twoReplicasAfterASuccess();
    one.mailer.delayMs = two.mailer.delayMs = 20;
    await Promise.all([one.notifier.handleAlert(one.alert('recovered')), two.notifier.checkOpenIncidents()]);
    expect([...one.counts.sent, ...two.counts.sent].sort()).toEqual(['failing', 'resolved']);
    expect(one.store.rows.get('c-1')?.resolvedAt).toEqual(new Date(START + 1000));
  });

  it('waits out a claim another replica lost in a crash, then sends', async () => {
    const one = setup();
    await one.notifier.handleAlert(one.alert('endpoint_failing'));
    one.advance(INTERVAL_MS);
    // A replica claimed the repeat and died before sending it or giving the claim back.
    await one.store.claim('c-1', 120_000);

    await one.notifier.checkOpenIncidents();
    expect(one.counts.sent).toEqual(['failing']);

    one.advance(120_000);
    await one.notifier.checkOpenIncidents();
    expect(one.counts.sent).toEqual(['failing', 'repeat']);
    expect(one.store.claims.size).toBe(0);
  });

  it('follows the connection: a new address gets the repeats, a paused one gets none, a deleted one closes it', async () => {
    const { notifier, mailer, store, index, advance, alert } = setup();
    await notifier.handleAlert(alert('endpoint_failing'));

    index.set('c-1', connection({ notify_on_error_email: 'oncall@example.com' }));
    advance(INTERVAL_MS);
    await notifier.checkOpenIncidents();
    expect(mailer.sent[1].to).toBe('oncall@example.com');
    expect(store.rows.get('c-1')?.email).toBe('oncall@example.com');

    index.set('c-1', connection({ active: false }));
    advance(INTERVAL_MS);
    await notifier.checkOpenIncidents();
    expect(mailer.sent).toHaveLength(2);

    index.delete('c-1');
    await notifier.checkOpenIncidents();
    expect(store.rows.get('c-1')?.resolvedAt).not.toBeNull();
    expect(mailer.sent).toHaveLength(2);
  });
});
