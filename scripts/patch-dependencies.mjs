// Fixes to installed dependencies, applied after every npm install (the postinstall script, and
// the container image's build). kafkajs 2.2.4 is its last release, so its fixes live here.
// Each edit replaces one exact passage; running again changes nothing, and a passage found in
// neither form stops the install, so a changed dependency can't go unpatched unnoticed. The
// encoding edits leave every produce request byte for byte as kafkajs wrote it.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const patches = [
  {
    // tulios/kafkajs#1556 and #1704: after every response the queue re-armed a timer with a
    // negative delay (so 1 ms) whether or not a request waited, so every broker connection woke
    // its process a thousand times a second for as long as it lived. The timer is now armed only
    // for a request held back by throttling; the in-flight limit already re-checks on responses.
    why: 'kafkajs: arm the pending-request timer only when a request waits',
    file: 'node_modules/kafkajs/src/network/requestQueue/index.js',
    edits: [
      {
        before: `    let scheduleAt = this.throttledUntil - Date.now()
    if (!this.throttleCheckTimeoutId) {
      if (this.pending.length > 0) {
        scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL
      }
      this.throttleCheckTimeoutId = setTimeout(() => {`,
        after: `    let scheduleAt = this.throttledUntil - Date.now()
    if (!this.throttleCheckTimeoutId && this.pending.length > 0) {
      scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL
      this.throttleCheckTimeoutId = setTimeout(() => {`,
      },
    ],
  },
  {
    // Every record, and every header of it, was encoded into a new zero-filled 512-byte buffer,
    // and every varint went through an array and Buffer.from. With the two fixes below (and the
    // partitioner in libs/kafka), producing a record with five headers went from 47 to 20 µs of
    // CPU (npm run bench:encoding; docs/performance.md). Encoders now take their buffers from
    // Node's pool (they only ever hand out the bytes they wrote), write varints in place, and
    // write a record's headers into the record's own buffer.
    why: 'kafkajs: encode without a zero-filled buffer per record and header',
    file: 'node_modules/kafkajs/src/protocol/encoder.js',
    edits: [
      {
        before: `module.exports = class Encoder {`,
        after: `const isInt32 = value => typeof value === 'number' && (value | 0) === value

module.exports = class Encoder {`,
      },
      {
        before: `  static sizeOfVarLong(value) {
    let longValue`,
        after: `  static sizeOfVarLong(value) {
    if (isInt32(value)) return Encoder.sizeOfVarInt(value)
    let longValue`,
      },
      {
        before: `    this.buf = Buffer.alloc(Encoder.nextPowerOfTwo(initialSize))`,
        after: `    this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize))`,
      },
      {
        before: `      const newBuffer = Buffer.alloc(newLength)`,
        after: `      const newBuffer = Buffer.allocUnsafe(newLength)`,
      },
      {
        before: `  writeEncoderArray(value) {`,
        after: `  writeVarIntHeaders(headers) {
    this.writeVarInt(headers.length)
    for (const { key, value } of headers) this.writeVarIntString(key).writeVarIntBytes(value)
    return this
  }

  writeEncoderArray(value) {`,
      },
      {
        before: `  writeUVarInt(value) {
    const byteArray = []
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      byteArray.push((value & OTHER_BITS) | MOST_SIGNIFICANT_BIT)
      value >>>= 7
    }
    byteArray.push(value & OTHER_BITS)
    this.writeBufferInternal(Buffer.from(byteArray))
    return this
  }

  writeVarLong(value) {
    const byteArray = []`,
        after: `  writeUVarInt(value) {
    this.ensureAvailable(5)
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      this.buf[this.offset++] = (value & OTHER_BITS) | MOST_SIGNIFICANT_BIT
      value >>>= 7
    }
    this.buf[this.offset++] = value & OTHER_BITS
    return this
  }

  writeVarLong(value) {
    if (isInt32(value)) return this.writeVarInt(value)
    const byteArray = []`,
      },
    ],
  },
  {
    // A record's headers were listed through flatMap, with an array per header, and each header
    // encoded into a buffer of its own before being copied into the record's.
    why: "kafkajs: write a record's headers into the record's buffer, sized up front",
    file: 'node_modules/kafkajs/src/protocol/recordBatch/record/v0/index.js',
    edits: [
      {
        before: `  return new Encoder()
    .writeVarInt(sizeOfBody)`,
        after: `  return new Encoder(sizeOfBody + 5)
    .writeVarInt(sizeOfBody)`,
      },
      {
        before: `    .writeVarIntArray(headersArray.map(Header))`,
        after: `    .writeVarIntHeaders(headersArray)`,
      },
      {
        before: `  const headersArray = Object.keys(headers).flatMap(headerKey =>
    !Array.isArray(headers[headerKey])
      ? [{ key: headerKey, value: headers[headerKey] }]
      : headers[headerKey].map(headerValue => ({ key: headerKey, value: headerValue }))
  )`,
        after: `  const headersArray = []
  for (const headerKey of Object.keys(headers)) {
    const headerValue = headers[headerKey]
    if (!Array.isArray(headerValue)) headersArray.push({ key: headerKey, value: headerValue })
    else for (const item of headerValue) headersArray.push({ key: headerKey, value: item })
  }`,
      },
    ],
  },
  {
    // Every record produced was encoded from a copy of its message, an object spread that V8
    // takes a slow path for. With this, the header list above and the checksum below, producing a
    // record with five headers went from 17 to 8 µs of CPU (npm run bench:encoding).
    why: 'kafkajs: encode a produced record without copying its message',
    file: 'node_modules/kafkajs/src/protocol/requests/produce/v3/request.js',
    edits: [
      {
        before: `    Record({
      ...message,
      offsetDelta: i,`,
        after: `    Record({
      key: message.key,
      value: message.value,
      headers: message.headers,
      offsetDelta: i,`,
      },
    ],
  },
  {
    // The checksum of every produced batch read its bytes one at a time, 2.6 ns a byte here.
    // Slicing by 8 (eight tables derived from kafkajs's own, two 32-bit words a step) takes 0.8.
    // The words are read in the machine's byte order, so a big-endian machine keeps the old loop.
    why: 'kafkajs: checksum a produced batch eight bytes at a time',
    file: 'node_modules/kafkajs/src/protocol/recordBatch/crc32C/crc32C.js',
    edits: [
      {
        before: `const crc32C = buffer => {
  let crc = 0 ^ -1
  for (let i = 0; i < buffer.length; i++) {
    crc = T[(crc ^ buffer[i]) & 0xff] ^ (crc >>> 8)
  }

  return (crc ^ -1) >>> 0
}`,
        after: `const crc32C = buffer => {
  let crc = 0 ^ -1
  let i = 0
  if (LITTLE_ENDIAN && buffer.length >= 16) {
    const tables = T8 || sliceBy8Tables()
    while ((buffer.byteOffset + i) % 4 !== 0) {
      crc = T[(crc ^ buffer[i++]) & 0xff] ^ (crc >>> 8)
    }
    const words = new Int32Array(buffer.buffer, buffer.byteOffset + i, ((buffer.length - i) >>> 3) * 2)
    for (let w = 0; w < words.length; w += 2) {
      const low = crc ^ words[w]
      const high = words[w + 1]
      crc =
        tables[1792 + (low & 0xff)] ^ tables[1536 + ((low >>> 8) & 0xff)] ^
        tables[1280 + ((low >>> 16) & 0xff)] ^ tables[1024 + (low >>> 24)] ^
        tables[768 + (high & 0xff)] ^ tables[512 + ((high >>> 8) & 0xff)] ^
        tables[256 + ((high >>> 16) & 0xff)] ^ tables[high >>> 24]
    }
    i += words.length * 4
  }
  for (; i < buffer.length; i++) {
    crc = T[(crc ^ buffer[i]) & 0xff] ^ (crc >>> 8)
  }

  return (crc ^ -1) >>> 0
}

const LITTLE_ENDIAN = require('os').endianness() === 'LE'
let T8 = null

// Table k holds the checksum of a byte followed by k zero bytes.
const sliceBy8Tables = () => {
  T8 = new Int32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let crc = T[n]
    T8[n] = crc
    for (let k = 1; k < 8; k++) {
      crc = T[crc & 0xff] ^ (crc >>> 8)
      T8[k * 256 + n] = crc
    }
  }
  return T8
}`,
      },
    ],
  },
  {
    // Every record consumed computed its offset and timestamp as BigInt-backed Longs (parse the
    // batch's base, add, format) and read its timestamp delta through a chain of Longs, and its
    // headers object was copied once per header. The sums are now taken in numbers while they are
    // exact (offsets and epoch milliseconds are far below 2^53), the Long path kept for the rest,
    // and the headers object is built once, with the same keys, order and duplicate arrays.
    why: 'kafkajs: decode a record without Long arithmetic or a headers copy per header',
    file: 'node_modules/kafkajs/src/protocol/recordBatch/record/v0/decoder.js',
    edits: [
      {
        before: `  const timestampDelta = decoder.readVarLong()
  const timestamp =
    timestampType === TimestampTypes.LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : Long.fromValue(firstTimestamp)
          .add(timestampDelta)
          .toString()

  const offsetDelta = decoder.readVarInt()
  const offset = Long.fromValue(firstOffset)
    .add(offsetDelta)
    .toString()`,
        after: `  const timestampDelta = readSmallVarLong(decoder)
  const timestamp =
    timestampType === TimestampTypes.LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : addToDecimal(firstTimestamp, timestampDelta)

  const offsetDelta = decoder.readVarInt()
  const offset = addToDecimal(firstOffset, offsetDelta)`,
      },
      {
        before: `  const headers = decoder.readVarIntArray(HeaderDecoder).reduce(
    (obj, { key, value }) => ({
      ...obj,
      [key]:
        obj[key] === undefined
          ? value
          : Array.isArray(obj[key])
          ? obj[key].concat([value])
          : [obj[key], value],
    }),
    {}
  )`,
        after: `  const headers = {}
  for (const { key, value } of decoder.readVarIntArray(HeaderDecoder)) {
    const seen = headers[key]
    const next = seen === undefined ? value : Array.isArray(seen) ? seen.concat([value]) : [seen, value]
    if (key === '__proto__') {
      Object.defineProperty(headers, key, { value: next, enumerable: true, writable: true, configurable: true })
    } else {
      headers[key] = next
    }
  }`,
      },
      {
        before: `    batchContext,
  }
}
`,
        after: `    batchContext,
  }
}

// A varlong as a number while it fits in 49 bits (as a record's delta does), else as a Long.
const readSmallVarLong = decoder => {
  const start = decoder.offset
  let unsigned = 0
  for (let shift = 0; shift < 49; shift += 7) {
    const byte = decoder.buffer[decoder.offset++]
    unsigned += (byte & 0x7f) * 2 ** shift
    if (byte < 0x80) return unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2
  }
  decoder.offset = start
  return decoder.readVarLong()
}

// A batch's base offset or timestamp (a decimal string) plus a record's delta.
const addToDecimal = (decimal, delta) => {
  const base = Number(decimal)
  if (typeof delta === 'number' && Number.isSafeInteger(base) && Number.isSafeInteger(base + delta)) {
    return String(base + delta)
  }
  return Long.fromValue(decimal)
    .add(delta)
    .toString()
}
`,
      },
    ],
  },
  {
    // A record header's key was read by making a Buffer of its bytes and then a string of it.
    why: "kafkajs: read a record header's key as a string without a Buffer first",
    file: 'node_modules/kafkajs/src/protocol/decoder.js',
    edits: [
      {
        before: `  readVarIntString() {
    const byteLength = this.readVarInt()

    if (byteLength === -1) {
      return null
    }

    const stringBuffer = this.buffer.slice(this.offset, this.offset + byteLength)
    const value = stringBuffer.toString('utf8')
    this.offset += byteLength
    return value
  }`,
        after: `  readVarIntString() {
    const byteLength = this.readVarInt()

    if (byteLength === -1) {
      return null
    }

    const value = this.buffer.toString('utf8', this.offset, this.offset + byteLength)
    this.offset += byteLength
    return value
  }`,
      },
    ],
  },
  {
    // Each message copied its partition's whole array so far: quadratic in the batch.
    why: 'kafkajs: group a batch by partition in one pass',
    file: 'node_modules/kafkajs/src/producer/groupMessagesPerPartition.js',
    edits: [
      {
        before: `  return messages.reduce((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message })
    const current = result[partition] || []
    return Object.assign(result, { [partition]: [...current, message] })
  }, {})`,
        after: `  const result = {}
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message })
    ;(result[partition] || (result[partition] = [])).push(message)
  }
  return result`,
      },
    ],
  },
];

// With --check nothing is written: it exits 1 unless every patch is already applied.
const checkOnly = process.argv.includes('--check');

function apply({ why, file, edits }) {
  const path = join(root, file);
  const original = readFileSync(path, 'utf8');
  let text = original;
  for (const { before, after } of edits) {
    if (text.includes(after)) continue;
    if (!text.includes(before)) throw new Error(`${file} has changed; review the patch "${why}"`);
    text = text.replace(before, after);
  }
  if (text === original) return 'already applied';
  if (checkOnly) return 'not applied';
  writeFileSync(path, text);
  return 'applied';
}

let missing = 0;
for (const patch of patches) {
  const state = apply(patch);
  if (state === 'not applied') missing++;
  console.log(`patch-dependencies: ${patch.why}: ${state}`);
}
if (missing > 0) process.exitCode = 1;
