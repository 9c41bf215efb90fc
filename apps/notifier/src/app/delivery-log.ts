import type { Incident } from './incident-policy';

/** What the delivery log holds about a connection's attempts after its incident began. */
export interface AttemptsSince {
  /** The latest delivered attempt after `since`: the incident is over. */
  deliveredAt: Date | null;
  /** The error of the latest failed attempt after `since`; of no use once one was delivered. */
  lastError: string | null;
}

/**
 * The delivery log (`delivery_attempts`, written by admin-api from every attempt's outcome), read
 * for the open incidents. It catches the successes no `recovered` alert reports: delivery keeps
 * its failure streaks in memory, so after it restarts mid-incident the first success has none.
 */
export interface DeliveryLog {
  /** Each incident's connection's attempts after the incident's `since`, in one query for all. */
  attemptsSince(
    incidents: readonly Pick<Incident, 'connectionId' | 'since'>[],
  ): Promise<Map<string, AttemptsSince>>;
}
