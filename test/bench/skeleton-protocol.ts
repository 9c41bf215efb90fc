/** What skeleton.ts and its stages (skeleton-stage.ts) share: the stages, the topics, the messages. */
import type { HistogramSnapshot } from './histogram';

export const SKELETON_ROLES = ['filter', 'renderer', 'delivery', 'delivery-log'] as const;
export type SkeletonRole = (typeof SKELETON_ROLES)[number];

export const SKELETON_TOPICS = {
  events: 'skeleton.message-events',
  matched: 'skeleton.matched',
  deliveries: 'skeleton.deliveries',
  outcomes: 'skeleton.outcomes',
  deadLetter: 'skeleton.dead-letter',
};

export type StageCommand = { type: 'begin' } | { type: 'end' };
export type StageReply =
  | { type: 'ready' }
  | { type: 'window'; records: number; fetches: number; latency: HistogramSnapshot };
