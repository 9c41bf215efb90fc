import type { IHeaders, KafkaMessage } from 'kafkajs';

/** A record as the consume loop hands it to a stage. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker timestamp, epoch milliseconds. */
  timestamp: number;
}

/** A record a stage asks the loop to produce. */
export interface OutgoingRecord {
  topic: string;
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
}

/**
 * The largest record a stage may produce: the broker's default `message.max.bytes` (1 MiB) less
 * room for the record batch around it. The broker refuses a larger one outright, and a refused
 * produce would stop the partition that made it.
 */
export const MAX_RECORD_BYTES = 1_000_000;

/** The record's size on the wire, near enough to compare with `MAX_RECORD_BYTES`. */
export function recordBytes(record: OutgoingRecord): number {
  return sizeOf(record, utf8Length);
}

/**
 * The record's size when it is over `MAX_RECORD_BYTES`, else undefined. Most records are far
 * under, which their lengths alone show without measuring their strings' UTF-8.
 */
export function oversizeBytes(record: OutgoingRecord): number | undefined {
  if (sizeOf(record, utf8LengthAtMost) <= MAX_RECORD_BYTES) return undefined;
  const bytes = recordBytes(record);
  return bytes > MAX_RECORD_BYTES ? bytes : undefined;
}

type Data = string | Buffer | null;

function sizeOf({ key, value, headers }: OutgoingRecord, length: (data: Data) => number): number {
  let size = 64 + length(key) + length(value);
  if (headers) for (const name in headers) size += 8 + length(name) + length(headers[name]);
  return size;
}

function utf8Length(data: Data): number {
  if (data === null) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

/** UTF-8 takes at most three bytes for each UTF-16 unit of a string. */
function utf8LengthAtMost(data: Data): number {
  if (data === null) return 0;
  return typeof data === 'string' ? 3 * data.length : data.length;
}

export function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: textHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/**
 * Gives the record a key and value of their own, in place. kafkajs hands them over as views into
 * the whole fetch response, so a record kept for long (waiting for its due time or a slot) would
 * keep every other record of that response alive; in place, so that every holder of the record
 * lets go of it.
 */
export function detachRecord(record: ConsumedRecord): void {
  record.key = ownCopy(record.key);
  record.value = ownCopy(record.value);
}

function ownCopy(buffer: Buffer | null): Buffer | null {
  if (buffer === null) return null;
  const copy = Buffer.allocUnsafeSlow(buffer.length);
  buffer.copy(copy);
  return copy;
}

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  if (!headers) return text;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) text[name] = last.toString();
  }
  return text;
}
