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
export function recordBytes({ key, value, headers }: OutgoingRecord): number {
  let size = 64 + byteLength(key) + byteLength(value);
  if (headers) for (const name in headers) size += 8 + byteLength(name) + byteLength(headers[name]);
  return size;
}

function byteLength(data: string | Buffer | null): number {
  if (data === null) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
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
