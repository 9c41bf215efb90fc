import type { Ledger } from './ledger';
import type { PhaseResult } from './phase-runner';

/**
 * Why a short run (the CI form) fails, one line per reason; none when it passes. It judges the
 * ledger and that the load was there to judge, never speed: a phase cut because the lag passed
 * its bound may publish less than planned, and webhooks still retrying are allowed (the run's
 * last drain waits for the healthy cohort only).
 */
export function shortRunFailures(
  ledger: Ledger | undefined,
  phases: Pick<PhaseResult, 'name' | 'targetRate' | 'plannedS' | 'published' | 'cutForLag'>[],
): string[] {
  if (!ledger) return ['no ledger'];
  const failures: string[] = [];
  if (ledger.missing > 0) failures.push(`${ledger.missing} webhooks missing`);
  if (ledger.unpublishedEvents > 0) {
    failures.push(
      `${ledger.unpublishedEvents} events unpublished: the broker refused their produce` +
        ` (${ledger.unpublishedError ?? 'no error given'})`,
    );
  }
  for (const phase of phases) {
    const planned = Math.round(phase.targetRate * phase.plannedS);
    if (phase.published < planned && !phase.cutForLag)
      failures.push(`phase ${phase.name} published ${phase.published} of the ${planned} events planned`);
  }
  if (ledger.delivered === 0) failures.push('no webhook delivered');
  if (ledger.misrouted > 0)
    failures.push(`${ledger.misrouted} webhooks delivered to a connection their event does not reach`);
  if (ledger.unexpected > 0)
    failures.push(`${ledger.unexpected} webhooks delivered that no published event called for`);
  if (ledger.webhookIdCheck.mismatches > 0)
    failures.push(`${ledger.webhookIdCheck.mismatches} webhook-id mismatches`);
  if (!ledger.retryOutcomesRead)
    failures.push('webhooks.outcomes not read: a retrying webhook cannot be told from a lost one');
  return failures;
}
