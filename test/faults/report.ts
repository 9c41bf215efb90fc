import type { Ledger } from '../bench/ledger';
import type { ServiceStop } from '../bench/service-processes';
import type { FaultOptions } from './options';
import { check, type Check, type ScenarioResult } from './scenario';

export interface FaultReport {
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  options: FaultOptions;
  serviceEnv: Record<string, string>;
  scenarios: ScenarioResult[];
  /** Every webhook of the run, classified once more after the last scenario (delivered, retrying, dead-lettered, missing). */
  ledger?: Ledger;
  unexpectedExits: { service: string; code: number | null; signal: string | null; at: string }[];
  serviceStops: ServiceStop[];
  checks: Check[];
  error?: string;
  passed: boolean;
}

/** The checks every scenario shares, from its ledger counts. */
export function ledgerChecks(result: ScenarioResult): Check[] {
  const counts = result.counts;
  if (!counts) return [];
  const checks = [
    check(
      'drained',
      result.drain?.drained ?? false,
      `${result.drain?.seconds.toFixed(1)} s after publishing stopped`,
    ),
    check('0 missing', counts.missing === 0, `${counts.missing} of ${counts.published} not delivered`),
    check(
      'every re-delivery kept its webhook-id',
      result.webhookIdMismatches === 0,
      `${result.webhookIdMismatches ?? '?'} webhooks came with another id`,
    ),
  ];
  if (result.strictDuplicates)
    checks.push(
      check('0 duplicates', counts.duplicates === 0, `${counts.duplicates} webhooks delivered twice`),
    );
  return checks;
}

export function scenarioPassed(result: ScenarioResult): boolean {
  return !result.error && [...(result.checks ?? []), ...ledgerChecks(result)].every((c) => c.passed);
}

const number = (value: number | undefined) => (value === undefined ? '-' : value.toLocaleString('en-US'));

/** The summary table, then each scenario's figures and checks. */
export function reportText(report: FaultReport): string {
  const lines: string[] = [];
  const header = [
    '#',
    'scenario',
    'published',
    'delivered',
    'duplicates',
    'missing',
    'unpubl.',
    'drain s',
    'result',
  ];
  const rows = report.scenarios.map((result, index) => [
    String(index + 1),
    result.name,
    number(result.counts?.published),
    number(result.counts?.delivered),
    number(result.counts?.duplicates),
    number(result.counts?.missing),
    number(result.counts?.unpublishedEvents),
    result.drain ? result.drain.seconds.toFixed(1) : '-',
    result.passed ? 'PASS' : 'FAIL',
  ]);
  lines.push(...table(header, rows), '');
  report.scenarios.forEach((result, index) => {
    lines.push(
      `${index + 1}. ${result.title} (${result.name}, ${result.seconds.toFixed(0)} s): ${result.passed ? 'PASS' : 'FAIL'}`,
    );
    for (const [label, value] of Object.entries(result.figures ?? {})) lines.push(`     ${label}: ${value}`);
    for (const item of [...(result.checks ?? []), ...ledgerChecks(result)])
      lines.push(`   ${item.passed ? 'ok  ' : 'FAIL'} ${item.name}${item.detail ? `: ${item.detail}` : ''}`);
    if (result.missingExamples?.length)
      lines.push(
        `     missing, e.g. ${result.missingExamples.map((m) => `seq ${m.seq} → connection ${m.connection}`).join(', ')}`,
      );
    if (result.error) lines.push(`   ERROR ${result.error.split('\n')[0]}`);
    lines.push('');
  });
  if (report.ledger) {
    const l = report.ledger;
    lines.push(
      `whole run: published ${number(l.published)} = delivered ${number(l.delivered)} + retrying ${number(l.retrying)} ` +
        `+ dead-lettered ${number(l.deadLettered)} + missing ${number(l.missing)}; duplicates ${number(l.duplicates)}; ` +
        `unpublished events ${number(l.unpublishedEvents)}`,
    );
  }
  for (const item of report.checks)
    lines.push(`${item.passed ? 'ok  ' : 'FAIL'} ${item.name}${item.detail ? `: ${item.detail}` : ''}`);
  if (report.error) lines.push(`ERROR ${report.error}`);
  lines.push(`wall time ${report.wallSeconds.toFixed(0)} s; ${report.passed ? 'PASSED' : 'FAILED'}`);
  return lines.join('\n');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column <= 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
}
