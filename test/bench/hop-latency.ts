import type { Kafka } from 'kafkajs';
import { readStamp } from './bench-event';
import { Histogram, inMilliseconds, type Percentiles } from './histogram';
import { readWholeTopic } from './topic-reader';

/** The hand-offs a webhook passes on its way to the receiver, and the topic that records each. */
export const HOPS = [
  { hop: 'published', topic: 'campaign.message-events' },
  { hop: 'matched', topic: 'webhooks.matched' },
  { hop: 'rendered', topic: 'webhooks.deliveries' },
] as const;

export type Hop = (typeof HOPS)[number]['hop'];

/** Per phase index and hop: milliseconds from the scheduled send to the hand-off. */
export type HopLatency = Map<number, Partial<Record<Hop, Percentiles>>>;

/**
 * Where a webhook's latency accrues before delivery. kafkajs stamps each record with the time it
 * builds the produce request, so a record's timestamp is when its stage handed it on; the event's
 * scheduled send time (t0) travels in every record's value. Both clocks are this machine's: t0 is
 * the harness's performance clock, turned into wall-clock time with the offset measured here.
 */
export async function measureHopLatency(kafka: Kafka): Promise<HopLatency> {
  const wallClockOfPerformanceZero = Date.now() - performance.now();
  const histograms = new Map<number, Partial<Record<Hop, Histogram>>>();
  for (const { hop, topic } of HOPS) {
    await readWholeTopic(kafka, topic, (message) => {
      const stamp = message.value ? readStamp(message.value.toString('utf8')) : undefined;
      if (!stamp) return;
      const byHop = histograms.get(stamp.phase) ?? {};
      histograms.set(stamp.phase, byHop);
      const histogram = (byHop[hop] ??= new Histogram());
      histogram.record((Number(message.timestamp) - wallClockOfPerformanceZero - stamp.t0) * 1000);
    });
  }
  const latency: HopLatency = new Map();
  for (const [phase, byHop] of histograms) {
    latency.set(
      phase,
      Object.fromEntries(
        Object.entries(byHop).map(([hop, histogram]) => [hop, inMilliseconds(histogram.summary())]),
      ),
    );
  }
  return latency;
}
