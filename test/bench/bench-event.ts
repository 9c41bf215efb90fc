import { projectId } from './topology';

/**
 * The message events the generator publishes. Each carries, in properties that reach the
 * default webhook body, its sequence number (`campaign_id`) and its phase and scheduled send
 * time (`trigger_id`: `<phase>:<ms on the harness's performance clock>`), so the receiver can
 * measure latency on the same clock and place the webhook in the ledger.
 */
export interface EventStamp {
  seq: number;
  phase: number;
  /** Scheduled send time, performance.now() milliseconds of the harness process. */
  t0: number;
}

const PROFILES = 10_000;

export function messageEvent(stamp: EventStamp, projects: number): { key: string; value: string } {
  const profile = `p-${stamp.seq % PROFILES}`;
  const value =
    '{"event":"message_send","time":' +
    Math.floor(Date.now() / 1000) +
    ',"project_id":"' +
    projectId(stamp.seq % projects) +
    '","properties":{"message_type":"email","campaign_id":"' +
    stamp.seq +
    '","profile_id":"' +
    profile +
    '","trigger_id":"' +
    stamp.phase +
    ':' +
    stamp.t0.toFixed(3) +
    '","user_id":"u-' +
    profile +
    '","email":"bench@example.com","external_message_id":"x-' +
    stamp.seq +
    '"}}';
  return { key: profile, value };
}

const campaignPattern = /"campaign_id":"(\d+)"/;
const triggerPattern = /"trigger_id":"(\d+):([\d.]+)"/;

/** The stamp in a webhook body (or a retry or dead-letter record's copy of it). */
export function readStamp(body: string): EventStamp | undefined {
  const campaign = campaignPattern.exec(body);
  const trigger = triggerPattern.exec(body);
  if (!campaign || !trigger) return undefined;
  return { seq: Number(campaign[1]), phase: Number(trigger[1]), t0: Number(trigger[2]) };
}
