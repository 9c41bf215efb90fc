import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { adminRequest, apiKeys } from '../support/admin-api';
import { connect, publishMessageEvents } from '../support/connections';
import { disconnectProducer, publish } from '../support/kafka';
import { eventually } from '../support/loops';
import { Mailbox } from '../support/mailbox';
import { Receiver } from '../support/receiver';
import { metricValue } from '../support/services';

// npm test runs the notifier with NOTIFY_INTERVAL_S=2 and SMTP_URL pointing at the port this
// suite listens on; delivery alerts after 3 failures in a row (RETRY_SCHEDULE=1s,1s,1s).
const settings = { messageEvents: ['message_click'], channels: ['push'] };
const send = () => publishMessageEvents('acme', ['message_click'], { channel: 'push' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sentTotal = (kind: string) => metricValue('notifier', 'webhooks_notifications_sent_total', { kind });

describe('notify on error', () => {
  let mailbox: Mailbox;
  let receiver: Receiver;
  const created: string[] = [];

  /** A connection that later suites' events no longer reach once this suite is done. */
  async function connectReceiver(settingsOfTest: Record<string, unknown>) {
    const connection = await connect('acme', { ...settings, url: receiver.url, ...settingsOfTest });
    created.push(connection.id);
    return connection;
  }

  beforeAll(async () => {
    mailbox = await Mailbox.listenAt();
  });

  beforeEach(async () => {
    receiver = await Receiver.start();
  });

  afterEach(async () => {
    await receiver.close();
    for (const id of created.splice(0))
      await adminRequest('DELETE', `/v1/connections/${id}`, { key: apiKeys['acme'] });
  });

  afterAll(async () => {
    await mailbox.close();
    await disconnectProducer();
  });

  it('emails when an endpoint starts failing, repeats while it fails, and once when it recovers', async () => {
    const address = `ops-${randomUUID()}@example.com`;
    const token = `tok-${randomUUID()}`;
    const sentBefore = { failing: await sentTotal('failing'), resolved: await sentTotal('resolved') };
    receiver.answerWith(500);
    const connection = await connectReceiver({
      name: 'CRM sync (notify)',
      auth: { type: 'bearer', token },
      notifyOnErrorEmail: address,
    });
    await send();

    const [failing] = await mailbox.waitFor(address, 1);
    expect(failing.subject).toBe('[campaign-webhooks] Webhook "CRM sync (notify)" is failing');
    expect(failing.text).toContain(`CRM sync (notify) (${connection.id})`);
    expect(failing.text).toContain(receiver.url);
    expect(failing.text).toContain('endpoint_failing');
    expect(failing.text).toMatch(/Failing since +\d{4}-\d\d-\d\dT[\d:.]+Z/);
    expect(failing.text).toContain('http_500');
    expect(failing.raw).not.toContain(token);
    expect(receiver.requests.length).toBeGreaterThanOrEqual(3);

    // No new alert is needed: the notifier's timer repeats every NOTIFY_INTERVAL_S.
    const failingMails = await mailbox.waitFor(address, 3, 20_000);
    for (const [index, repeat] of failingMails.slice(1).entries()) {
      expect(repeat.subject).toBe('[campaign-webhooks] Webhook "CRM sync (notify)" is still failing');
      expect(repeat.raw).not.toContain(token);
      expect(repeat.receivedAt - failingMails[index].receivedAt).toBeGreaterThanOrEqual(1_500);
    }

    receiver.answerWith(200);
    await send();
    const deadline = Date.now() + 30_000;
    let resolvedAt = -1;
    while (resolvedAt < 0) {
      resolvedAt = mailbox.to(address).findIndex((mail) => mail.subject.endsWith('has recovered'));
      if (Date.now() > deadline) throw new Error('no resolved email within 30 s');
      await sleep(100);
    }
    const resolved = mailbox.to(address)[resolvedAt];
    expect(resolved.subject).toBe('[campaign-webhooks] Webhook "CRM sync (notify)" has recovered');
    expect(resolved.text).toContain('a delivery succeeded at');
    expect(resolved.raw).not.toContain(token);

    // Resolved means quiet: nothing more, however many intervals pass.
    await sleep(5_000);
    expect(mailbox.to(address)).toHaveLength(resolvedAt + 1);
    expect(await sentTotal('failing')).toBeGreaterThan(sentBefore.failing);
    expect(await sentTotal('repeat')).toBeGreaterThanOrEqual(2);
    expect(await sentTotal('resolved')).toBeGreaterThan(sentBefore.resolved);
  }, 120_000);

  it('emails once it recovers when no recovered alert comes, from the delivery log', async () => {
    // As after a delivery restart mid-incident: the notifier holds an incident for a streak that
    // delivery no longer knows, so the success that follows brings no recovered alert.
    const address = `ops-${randomUUID()}@example.com`;
    receiver.answerWith(200);
    const connection = await connectReceiver({
      name: 'CRM sync (delivery restarted)',
      auth: { type: 'none' },
      notifyOnErrorEmail: address,
    });
    const now = Date.now();
    await publish('webhooks.alerts', [
      {
        key: connection.id,
        value: JSON.stringify({
          connection_id: connection.id,
          project_id: 'acme',
          kind: 'endpoint_failing',
          message: '3 attempts failed in a row; last: http_503',
          since: new Date(now - 60_000).toISOString(),
          time: new Date(now).toISOString(),
        }),
      },
    ]);
    const [failing] = await mailbox.waitFor(address, 1);
    expect(failing.subject).toBe('[campaign-webhooks] Webhook "CRM sync (delivery restarted)" is failing');

    await send();
    await receiver.waitFor(1, 20_000);
    const recovered = () => mailbox.to(address).filter((mail) => mail.subject.endsWith('has recovered'));
    // admin-api logs the attempt, then the notifier's next check (every 0.5 s here) finds it.
    await eventually(() => recovered().length > 0, 30_000);
    expect(recovered()[0].subject).toBe(
      '[campaign-webhooks] Webhook "CRM sync (delivery restarted)" has recovered',
    );
    expect(recovered()[0].text).toContain('a delivery succeeded at');

    // Resolved means quiet here too.
    await sleep(5_000);
    const mails = mailbox.to(address);
    expect(mails[mails.length - 1]).toBe(recovered()[0]);
    expect(recovered()).toHaveLength(1);
  }, 90_000);

  it('emails nobody about a connection without an address', async () => {
    receiver.answerWith(503);
    const connection = await connectReceiver({ name: 'quiet', auth: { type: 'none' } });
    await send();
    await receiver.waitFor(4, 20_000);
    await sleep(2_500);
    expect(mailbox.mails.filter((mail) => mail.text.includes(connection.id))).toHaveLength(0);
  }, 60_000);
});

describe('the notifier with a bad mail setting', () => {
  const start = (smtpUrl: string | undefined) => {
    const env = Object.fromEntries(
      Object.entries({ ...process.env, SMTP_URL: smtpUrl, PORT: '0' }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    return spawnSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'apps', 'notifier', 'main.js')], {
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });
  };

  it('refuses to start without SMTP_URL, with one line naming it', () => {
    const result = start(undefined);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'notifier: invalid configuration: SMTP_URL is required (smtp://host:port, or smtps://user:password@host:port)',
    ]);
  });

  it('refuses a malformed SMTP_URL without echoing it', () => {
    const result = start('http://mailer:hunter2@mail.example.com');
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'notifier: invalid configuration: SMTP_URL expected smtp://host:port or smtps://host:port, optionally with user:password@',
    ]);
  });
});
