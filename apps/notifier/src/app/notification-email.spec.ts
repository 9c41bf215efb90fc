import type { Incident } from './incident-policy';
import { composeEmail, displayUrl, formatDuration, scrubSecrets } from './notification-email';

const since = new Date('2025-11-27T09:00:00.000Z');
const incident: Incident = {
  connectionId: 'c-1',
  projectId: 'acme',
  email: 'ops@example.com',
  kind: 'auth_failure',
  since,
  lastError: 'OAuth token request to https://id.example.com/token failed: 401',
  lastSentAt: since,
  resolvedAt: null,
};
const connection = {
  id: 'c-1',
  name: 'CRM\r\nBcc: victim@example.com',
  url: 'https://u:p@hooks.example.com/xp#frag',
};

describe('notification emails', () => {
  it('keep the subject on one line whatever the connection is called', () => {
    const { subject } = composeEmail('failing', incident, connection, since, 3_600_000);
    expect(subject).toBe('[campaign-webhooks] Webhook "CRM Bcc: victim@example.com" is failing');
  });

  it('say what failed, since when, the last error and how often they repeat', () => {
    const { text } = composeEmail(
      'repeat',
      incident,
      connection,
      new Date(since.getTime() + 7_500_000),
      3_600_000,
    );
    expect(text).toContain('https://hooks.example.com/xp\n');
    expect(text).toContain('auth_failure: authentication failed');
    expect(text).toContain('2025-11-27T09:00:00.000Z (2 h 5 min ago)');
    expect(text).toContain('OAuth token request to https://id.example.com/token failed: 401');
    expect(text).toContain('every 1 h');
    expect(text).not.toMatch(/u:p|frag/);
  });

  it('close the incident with how long it lasted', () => {
    const { subject, text } = composeEmail(
      'resolved',
      incident,
      connection,
      new Date(since.getTime() + 90_000),
      3_600_000,
    );
    expect(subject).toContain('has recovered');
    expect(text).toContain('Failed from    2025-11-27T09:00:00.000Z (1 min)');
    expect(text).toContain('no more messages');
  });

  it('show URLs without user info, query or fragment', () => {
    expect(displayUrl('https://user:pw@example.com:8443/a/b?token=t#x')).toBe(
      'https://example.com:8443/a/b?…',
    );
    expect(displayUrl('not a url')).toBe('(not a valid URL)');
  });

  it('scrub credentials from error texts', () => {
    expect(scrubSecrets('connect to https://user:pw@example.com/x?sig=abc failed')).toBe(
      'connect to https://example.com/x?… failed',
    );
    expect(scrubSecrets('sent Authorization: Bearer eyJhbGciOi.abc and Basic dTpw')).toBe(
      'sent Authorization: Bearer [redacted] and Basic [redacted]',
    );
    expect(scrubSecrets('x'.repeat(600))).toHaveLength(501);
  });

  it('format durations for people', () => {
    expect(formatDuration(2_000)).toBe('2 s');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(26 * 3_600_000)).toBe('1 d 2 h');
  });
});
