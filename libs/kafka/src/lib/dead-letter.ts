import type { DeadLetter } from '@campaign-webhooks/contracts';
import type { ConsumedRecord, OutgoingRecord } from './records';

/** Reasons are short, stable codes (used as a metric label) followed by detail after a colon. */
export function deadLetterRecord(topic: string, record: ConsumedRecord, reason: string): OutgoingRecord {
  const original = encodeOriginal(record.value);
  const letter: DeadLetter = {
    reason,
    source: { topic: record.topic, partition: record.partition, offset: record.offset },
    key: record.key?.toString() ?? null,
    original: original.text,
    original_encoding: original.encoding,
    original_bytes: record.value?.length ?? 0,
    headers: record.headers,
    time: new Date().toISOString(),
  };
  return { topic, key: record.key, value: JSON.stringify(letter), headers: { reason: reasonCode(reason) } };
}

export function reasonCode(reason: string): string {
  const colon = reason.indexOf(':');
  return colon === -1 ? reason : reason.slice(0, colon);
}

/** Keeps a dead letter under the broker's default size limit whatever the original's size. */
const MAX_ORIGINAL_BYTES = 256 * 1024;

/**
 * As text when it is valid UTF-8 and its JSON escaping (six bytes for a control character) at
 * most doubles it; base64 otherwise. Either way a dead letter stays under the broker's limit.
 */
function encodeOriginal(whole: Buffer | null): { text: string | null; encoding: 'utf8' | 'base64' } {
  if (whole === null) return { text: null, encoding: 'utf8' };
  const value = whole.length > MAX_ORIGINAL_BYTES ? whole.subarray(0, MAX_ORIGINAL_BYTES) : whole;
  const text = value.toString('utf8');
  return Buffer.byteLength(text) === value.length &&
    !text.includes('\uFFFD') &&
    JSON.stringify(text).length <= 2 * value.length + 2
    ? { text, encoding: 'utf8' }
    : { text: value.toString('base64'), encoding: 'base64' };
}
