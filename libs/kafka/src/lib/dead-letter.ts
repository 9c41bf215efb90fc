import type { DeadLetter } from '@campaign-webhooks/contracts';
import type { ConsumedRecord, OutgoingRecord } from './records';

type CutField = NonNullable<DeadLetter['truncated']>[number];

/**
 * Reasons are short, stable codes (used as a metric label) followed by detail after a colon.
 * Whatever the record and the reason, the dead letter stays under the broker's limit: each part
 * copied from them is bounded below, and `truncated` names the ones cut. The source's topic,
 * partition and offset always find the whole record.
 */
export function deadLetterRecord(topic: string, record: ConsumedRecord, reason: string): OutgoingRecord {
  const original = encodeOriginal(record.value);
  const key = record.key && cut(record.key, MAX_KEY_BYTES);
  const headers = headersWithin(record.headers, MAX_HEADERS_JSON_BYTES);
  const reasonBytes = Buffer.from(reason);
  const keptReason = cut(reasonBytes, MAX_REASON_BYTES);
  const truncated: CutField[] = [];
  if (original.cut) truncated.push('original');
  if (key !== record.key) truncated.push('key');
  if (headers.dropped) truncated.push('headers');
  if (keptReason !== reasonBytes) truncated.push('reason');
  const letter: DeadLetter = {
    reason: keptReason === reasonBytes ? reason : keptReason.toString(),
    source: { topic: record.topic, partition: record.partition, offset: record.offset },
    key: key?.toString() ?? null,
    original: original.text,
    original_encoding: original.encoding,
    original_bytes: record.value?.length ?? 0,
    headers: headers.kept,
    time: new Date().toISOString(),
    ...(truncated.length > 0 ? { truncated } : {}),
  };
  return { topic, key, value: JSON.stringify(letter), headers: { reason: reasonCode(letter.reason) } };
}

/** A reason's stable code (before its `:`), as the header and the metric label; `other` if it has none. */
export function reasonCode(reason: string): string {
  const colon = reason.indexOf(':');
  const code = colon === -1 ? reason : reason.slice(0, colon);
  return /^[a-z][a-z0-9_]{0,63}$/.test(code) ? code : 'other';
}

/*
 * The original written as text can take about 2.5 times its 256 KiB in the dead letter (see
 * encodeOriginal), the key and the reason at most six times theirs (JSON's `\uXXXX`), the headers
 * their budget: about 760 KB in all, well under MAX_RECORD_BYTES (1,000,000).
 */
const MAX_ORIGINAL_BYTES = 256 * 1024;
const MAX_KEY_BYTES = 1024;
const MAX_REASON_BYTES = 4 * 1024;
const MAX_HEADERS_JSON_BYTES = 64 * 1024;

/** The first `max` bytes; the same buffer when it is no longer. */
function cut(bytes: Buffer, max: number): Buffer {
  return bytes.length > max ? bytes.subarray(0, max) : bytes;
}

/** The headers, in order, that fit the budget whole as JSON; the others are dropped. */
function headersWithin(
  headers: Record<string, string>,
  budget: number,
): { kept: Record<string, string>; dropped: boolean } {
  const kept: Record<string, string> = {};
  let dropped = false;
  for (const [name, value] of Object.entries(headers)) {
    // Its JSON is at least as long as the strings, so a longer header is dropped unmeasured.
    const bytes =
      name.length + value.length > budget
        ? Infinity
        : Buffer.byteLength(JSON.stringify(name)) + Buffer.byteLength(JSON.stringify(value)) + 2;
    if (bytes <= budget) {
      kept[name] = value;
      budget -= bytes;
    } else {
      dropped = true;
    }
  }
  return { kept, dropped };
}

/**
 * As text when it is valid UTF-8 and its JSON escaping (six bytes for a control character) at
 * most doubles its length in characters; base64 otherwise. Mixed with three-byte characters,
 * control characters can still make the text about 2.5 times the bytes (which the budgets allow).
 */
function encodeOriginal(whole: Buffer | null): {
  text: string | null;
  encoding: 'utf8' | 'base64';
  cut: boolean;
} {
  if (whole === null) return { text: null, encoding: 'utf8', cut: false };
  const value = cut(whole, MAX_ORIGINAL_BYTES);
  const text = value.toString('utf8');
  const encoding =
    Buffer.byteLength(text) === value.length &&
    !text.includes('\uFFFD') &&
    JSON.stringify(text).length <= 2 * value.length + 2
      ? 'utf8'
      : 'base64';
  return { text: encoding === 'utf8' ? text : value.toString('base64'), encoding, cut: value !== whole };
}
