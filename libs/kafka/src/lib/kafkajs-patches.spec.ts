import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * The installed kafkajs carries the fixes of scripts/patch-dependencies.mjs (applied by npm
 * install's postinstall step; run it by hand after installing with --ignore-scripts).
 */

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: object): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
}

/** kafkajs's internal request queue, loaded by path: kafkajs declares no exports map. */
const RequestQueueClass: new (options: object) => RequestQueue = require('kafkajs/src/network/requestQueue');

/** A real kafkajs request queue, as each broker connection holds one. */
function requestQueue(): RequestQueue {
  const quiet = { debug: () => undefined, warn: () => undefined, error: () => undefined };
  return new RequestQueueClass({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: quiet,
  });
}

function fetchRequest(correlationId: number, sendRequest: () => void) {
  const entry = {
    correlationId,
    apiKey: 1,
    apiName: 'Fetch',
    apiVersion: 11,
    resolve: () => undefined,
    reject: () => undefined,
  };
  return { entry, expectResponse: true, sendRequest };
}

const notPatched = 'kafkajs is not patched: run `node scripts/patch-dependencies.mjs`';

describe('kafkajs as installed', () => {
  afterEach(() => jest.useRealTimers());

  it('arms no timer once a response leaves no request waiting', () => {
    const queue = requestQueue();
    queue.push(fetchRequest(1, () => undefined));
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    // Unpatched, a 1 ms timer is armed here and re-arms itself for ever: stop it before it runs.
    if (queue.throttleCheckTimeoutId) clearTimeout(queue.throttleCheckTimeoutId);
    expect({ timerArmed: queue.throttleCheckTimeoutId !== null, hint: notPatched }).toEqual({
      timerArmed: false,
      hint: notPatched,
    });
  });

  it('still sends a request held back by broker throttling once the throttle ends', () => {
    jest.useFakeTimers();
    const queue = requestQueue();
    queue.throttledUntil = Date.now() + 50;
    const sent = jest.fn();
    queue.push(fetchRequest(1, sent));
    expect(queue.pending).toHaveLength(1);
    jest.advanceTimersByTime(49);
    expect(sent).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(sent).toHaveBeenCalledTimes(1);
    expect(queue.pending).toHaveLength(0);
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });
});

interface EncodedBatch {
  buffer: Buffer;
}
interface DecodedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
  timestamp: string;
  offset: string;
}
interface RecordInput {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer | string[]>;
  offsetDelta: number;
  timestampDelta: number;
}

/** kafkajs's record and record-batch encoders and decoders, loaded by path as above. */
const encodeRecord: (record: RecordInput) => object = require('kafkajs/src/protocol/recordBatch/record/v0');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch(batch: {
    records: object[];
    firstOffset?: object;
    firstTimestamp: number;
    maxTimestamp: number;
  }): Promise<EncodedBatch>;
};
const Long: {
  fromValue(value: string): object;
  prototype: { add(delta: unknown): object };
} = require('kafkajs/src/utils/long');
const decodeBatch: (
  decoder: object,
) => Promise<{ records: DecodedRecord[] }> = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const Decoder: new (buffer: Buffer) => {
  readVarInt(): number;
  readVarLong(): { toString(): string };
} = require('kafkajs/src/protocol/decoder');
const Encoder: new (initialSize?: number) => {
  writeVarInt(value: number): unknown;
  writeVarLong(value: number): unknown;
  buffer: Buffer;
} = require('kafkajs/src/protocol/encoder');
const crc32C: (buffer: Buffer) => number = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C');
const groupByPartition: (args: {
  topic: string;
  partitionMetadata: { partitionId: number }[];
  messages: { key: string }[];
  partitioner: (args: { message: { key: string } }) => number;
}) => Record<string, { key: string }[]> = require('kafkajs/src/producer/groupMessagesPerPartition');

describe('kafkajs encoding as installed', () => {
  it('carries every patch of scripts/patch-dependencies.mjs', () => {
    const check = spawnSync(
      process.execPath,
      [join(__dirname, '../../../../scripts/patch-dependencies.mjs'), '--check'],
      { encoding: 'utf8' },
    );
    expect({ status: check.status, notApplied: check.stdout.match(/.*: not applied$/gm) }).toEqual({
      status: 0,
      notApplied: null,
    });
  });

  it("writes records and headers that kafkajs's decoder reads back", async () => {
    const firstTimestamp = 1_764_201_600_000;
    const records: RecordInput[] = [
      { key: 'connection-1', value: '{"event":"delivered"}', offsetDelta: 0, timestampDelta: 0 },
      {
        key: Buffer.from([0, 1, 2, 255]),
        value: 'é€𝄞 '.repeat(300),
        headers: { 'webhook-id': 'msg_1', attempt: '2', binary: Buffer.from([7, 8]), repeated: ['a', 'b'] },
        offsetDelta: 1,
        timestampDelta: 2 ** 33,
      },
      { key: null, value: null, headers: { big: 'x'.repeat(5000) }, offsetDelta: 300, timestampDelta: -1 },
    ];
    const batch = await RecordBatch({
      records: records.map(encodeRecord),
      firstTimestamp,
      maxTimestamp: firstTimestamp + 2 ** 33,
    });
    const decoded = (await decodeBatch(new Decoder(batch.buffer))).records;

    expect(
      decoded.map(({ key, value, headers, timestamp, offset }) => ({
        key,
        value: value?.toString(),
        headers: Object.fromEntries(
          Object.entries(headers).map(([name, header]) => [
            name,
            Array.isArray(header) ? header.map(String) : String(header),
          ]),
        ),
        timestamp,
        offset,
      })),
    ).toEqual([
      {
        key: Buffer.from('connection-1'),
        value: '{"event":"delivered"}',
        headers: {},
        timestamp: String(firstTimestamp),
        offset: '0',
      },
      {
        key: Buffer.from([0, 1, 2, 255]),
        value: 'é€𝄞 '.repeat(300),
        headers: {
          'webhook-id': 'msg_1',
          attempt: '2',
          binary: '\x07\x08',
          repeated: ['a', 'b'],
        },
        timestamp: String(firstTimestamp + 2 ** 33),
        offset: '1',
      },
      {
        key: null,
        value: undefined,
        headers: { big: 'x'.repeat(5000) },
        timestamp: String(firstTimestamp - 1),
        offset: '300',
      },
    ]);
  });

  it('decodes an ordinary record without Long arithmetic', async () => {
    const firstTimestamp = 1_764_201_600_000;
    const batch = await RecordBatch({
      records: Array.from({ length: 10 }, (_, i) =>
        encodeRecord({ key: 'k', value: `v${i}`, headers: { a: '1' }, offsetDelta: i, timestampDelta: i }),
      ),
      firstTimestamp,
      maxTimestamp: firstTimestamp + 9,
    });
    const add = jest.spyOn(Long.prototype, 'add');
    const parse = jest.spyOn(Long, 'fromValue');
    try {
      const decoded = (await decodeBatch(new Decoder(batch.buffer))).records;
      expect(decoded.map(({ offset, timestamp }) => [offset, timestamp])).toEqual(
        Array.from({ length: 10 }, (_, i) => [String(i), String(firstTimestamp + i)]),
      );
      expect({ longOperations: add.mock.calls.length + parse.mock.calls.length, hint: notPatched }).toEqual({
        longOperations: 0,
        hint: notPatched,
      });
    } finally {
      add.mockRestore();
      parse.mockRestore();
    }
  });

  it('reads offsets past 2^53, deltas past 49 bits and a header named __proto__ exactly', async () => {
    const firstOffset = 2n ** 53n + 1n;
    const firstTimestamp = 1_764_201_600_000;
    const headers = Object.defineProperty({ first: 'a' }, '__proto__', { value: 'p', enumerable: true });
    const batch = await RecordBatch({
      records: [
        { key: null, value: 'x', headers, offsetDelta: 0, timestampDelta: 2 ** 50 },
        { key: null, value: 'y', offsetDelta: 1, timestampDelta: -(2 ** 50) },
      ].map(encodeRecord),
      firstOffset: Long.fromValue(String(firstOffset)),
      firstTimestamp,
      maxTimestamp: firstTimestamp + 2 ** 50,
    });
    const [first, second] = (await decodeBatch(new Decoder(batch.buffer))).records;

    expect([first.offset, second.offset]).toEqual([String(firstOffset), String(firstOffset + 1n)]);
    expect([first.timestamp, second.timestamp]).toEqual([
      String(firstTimestamp + 2 ** 50),
      String(firstTimestamp - 2 ** 50),
    ]);
    // A header can't replace the headers object's prototype; it is an own key, as kafkajs made it.
    expect(Object.getPrototypeOf(first.headers)).toBe(Object.prototype);
    expect(Object.keys(first.headers)).toEqual(['first', '__proto__']);
  });

  it('checksums any bytes as CRC-32C defines it, at every length and alignment', () => {
    const bitwiseCrc32C = (bytes: Uint8Array): number => {
      let crc = ~0;
      for (const byte of bytes) {
        crc ^= byte;
        for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      }
      return ~crc >>> 0;
    };
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    const bytes = randomBytes(300);
    for (let start = 0; start < 8; start++) {
      for (let end = start; end <= bytes.length; end += 7) {
        const slice = bytes.subarray(start, end);
        expect([start, end, crc32C(slice)]).toEqual([start, end, bitwiseCrc32C(slice)]);
      }
    }
  });

  it('grows its buffer for varints written past its first one', () => {
    const ints = [0, 1, -1, 63, -64, 300, -70_000, 2 ** 31 - 1, -(2 ** 31)];
    const longs = [0, -1, 2 ** 31, -(2 ** 33), Number.MAX_SAFE_INTEGER];
    const encoder = new Encoder(1);
    for (const value of ints) encoder.writeVarInt(value);
    for (const value of longs) encoder.writeVarLong(value);
    const decoder = new Decoder(encoder.buffer);
    expect(ints.map(() => decoder.readVarInt())).toEqual(ints);
    expect(longs.map(() => decoder.readVarLong().toString())).toEqual(longs.map(String));
  });

  it('groups a batch by partition keeping each partition in order', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}` }));
    const grouped = groupByPartition({
      topic: 'campaign.deliveries',
      partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }],
      messages,
      partitioner: ({ message }) => Number(message.key.slice(1)) % 3,
    });
    expect(grouped).toEqual({
      0: [messages[0], messages[3], messages[6], messages[9]],
      1: [messages[1], messages[4], messages[7]],
      2: [messages[2], messages[5], messages[8]],
    });
  });
});
