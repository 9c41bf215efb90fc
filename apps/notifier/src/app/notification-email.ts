import type { FailureKind, Incident, NotificationKind } from './incident-policy';

/** What an email says about the connection; never its credentials. */
export interface ConnectionDetails {
  id: string;
  name: string;
  url: string;
}

const PROBLEMS: Record<FailureKind, string> = {
  endpoint_failing: 'the endpoint keeps failing: several deliveries in a row were not accepted',
  circuit_open: 'the circuit breaker opened: deliveries wait until the endpoint answers again',
  auth_failure:
    'authentication failed: the endpoint refused the credentials, or no OAuth 2.0 token could be obtained',
};

const SUBJECTS: Record<NotificationKind, string> = {
  failing: 'is failing',
  repeat: 'is still failing',
  resolved: 'has recovered',
};

export function composeEmail(
  kind: NotificationKind,
  incident: Incident,
  connection: ConnectionDetails,
  now: Date,
  intervalMs: number,
): { subject: string; text: string } {
  const name = oneLine(connection.name);
  const subject = `[campaign-webhooks] Webhook "${name}" ${SUBJECTS[kind]}`;
  const facts = [
    ['Connection', `${name} (${connection.id})`],
    ['Project', incident.projectId],
    ['Endpoint', displayUrl(connection.url)],
    ['Problem', `${incident.kind}: ${PROBLEMS[incident.kind]}`],
    [
      kind === 'resolved' ? 'Failed from' : 'Failing since',
      `${incident.since.toISOString()} (${formatDuration(now.getTime() - incident.since.getTime())}${kind === 'resolved' ? '' : ' ago'})`,
    ],
    ['Last error', scrubSecrets(incident.lastError)],
  ];
  const table = facts.map(([label, value]) => `  ${label.padEnd(15)}${value}`).join('\n');
  const text =
    kind === 'resolved'
      ? [
          `The webhook connection "${name}" delivers again: a delivery succeeded at ${now.toISOString()}.`,
          table,
          'This incident is closed; no more messages will be sent about it.',
        ]
      : [
          `The webhook connection "${name}" cannot deliver to its endpoint.`,
          table,
          'Deliveries are retried on their schedule and wait while the endpoint is down. ' +
            `This message repeats every ${formatDuration(intervalMs)} while the endpoint keeps failing; ` +
            'one last message follows when a delivery succeeds.',
        ];
  return { subject, text: `${text.join('\n\n')}\n` };
}

/** The URL without user info, query or fragment, any of which may carry a credential. */
export function displayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(not a valid URL)';
  }
  const query = parsed.search ? '?…' : '';
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query}`;
}

/** Error texts come from other services: drop anything in them that looks like a credential. */
export function scrubSecrets(text: string): string {
  const scrubbed = oneLine(text)
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1')
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?#]*)[?#]\S*/gi, '$1?…')
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]');
  return scrubbed.length > 500 ? `${scrubbed.slice(0, 500)}…` : scrubbed;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
