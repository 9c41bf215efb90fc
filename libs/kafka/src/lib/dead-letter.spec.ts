import { deadLetterSchema } from '@campaign-webhooks/contracts';
import { deadLetterRecord, reasonCode } from './dead-letter';
import { MAX_RECORD_BYTES, recordBytes, type ConsumedRecord, type OutgoingRecord } from './records';

const record = (value: Buffer | null): ConsumedRecord => ({
  topic: 'campaign.message-events',
  partition: 3,
  offset: '42',
  key: Buffer.from('p-1'),
  value,
  headers: { trace: 'abc' },
  timestamp: 0,
});

describe('deadLetterRecord', () => {
  it('keeps the reason, where the record was, and the original text', () => {
    const letter = deadLetterRecord(
      'webhooks.dead-letter',
      record(Buffer.from('{not json')),
      'invalid_json: at 1',
    );
    expect(letter.topic).toBe('webhooks.dead-letter');
    expect(letter.headers).toEqual({ reason: 'invalid_json' });
    expect(deadLetterSchema.parse(JSON.parse(String(letter.value)))).toMatchObject({
      reason: 'invalid_json: at 1',
      source: { topic: 'campaign.message-events', partition: 3, offset: '42' },
      key: 'p-1',
      original: '{not json',
      original_encoding: 'utf8',
      original_bytes: 9,
      headers: { trace: 'abc' },
    });
  });

  it('keeps bytes that are not UTF-8 as base64', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const letter = JSON.parse(String(deadLetterRecord('dl', record(bytes), 'invalid_json').value));
    expect(letter).toMatchObject({ original: bytes.toString('base64'), original_encoding: 'base64' });
  });

  it('cuts a huge original so the dead letter stays under the broker limit', () => {
    const huge = Buffer.alloc(3 * 1024 * 1024, 'a');
    const letter = deadLetterRecord('dl', record(huge), 'record_too_large');
    expect(String(letter.value).length).toBeLessThan(300 * 1024);
    expect(JSON.parse(String(letter.value))).toMatchObject({
      original_bytes: huge.length,
      truncated: ['original'],
    });
  });

  it('keeps an original of control characters, which JSON would write six bytes each, as base64', () => {
    const controls = Buffer.alloc(256 * 1024, 0);
    const letter = deadLetterRecord('dl', record(controls), 'invalid_json');
    expect(String(letter.value).length).toBeLessThan(400 * 1024);
    expect(JSON.parse(String(letter.value))).toMatchObject({ original_encoding: 'base64' });
  });

  it("writes a normal record's dead letter as it always has", () => {
    jest.useFakeTimers({ now: new Date('2025-12-01T10:00:00.000Z') });
    try {
      const letter = deadLetterRecord('dl', record(Buffer.from('{not json')), 'invalid_json: at 1');
      expect(letter).toEqual({
        topic: 'dl',
        key: Buffer.from('p-1'),
        value:
          '{"reason":"invalid_json: at 1",' +
          '"source":{"topic":"campaign.message-events","partition":3,"offset":"42"},' +
          '"key":"p-1","original":"{not json","original_encoding":"utf8","original_bytes":9,' +
          '"headers":{"trace":"abc"},"time":"2025-12-01T10:00:00.000Z"}',
        headers: { reason: 'invalid_json' },
      });
    } finally {
      jest.useRealTimers();
    }
  });

  it('names the reason code before the colon', () => {
    expect(reasonCode('invalid_record: event: required')).toBe('invalid_record');
    expect(reasonCode('unknown_event')).toBe('unknown_event');
  });

  it('gives a reason without a stable code as other: it is a metric label', () => {
    expect(reasonCode('The record was refused by a handler written without a code')).toBe('other');
    expect(reasonCode('x'.repeat(100))).toBe('other');
  });
});

describe('deadLetterRecord within the broker limit', () => {
  const notUtf8 = (bytes: number) => Buffer.alloc(bytes, 0xff);
  /** JSON writes each of these six bytes long. */
  const controls = (count: number) => '\u0001'.repeat(count);
  const body = (letter: OutgoingRecord) =>
    deadLetterSchema.passthrough().parse(JSON.parse(String(letter.value)));
  const source = { topic: 'campaign.message-events', partition: 3, offset: '42' };

  it('cuts a huge key that is not UTF-8, in the letter and as its record key, and says so', () => {
    const key = notUtf8(350_000);
    const letter = deadLetterRecord('dl', { ...record(Buffer.from('{}')), key }, 'invalid_json');
    expect(recordBytes(letter)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const cut = letter.key as Buffer;
    expect(cut.length).toBeLessThan(key.length);
    expect(cut).toEqual(key.subarray(0, cut.length));
    expect(body(letter)).toMatchObject({ source, key: cut.toString(), truncated: ['key'] });
  });

  it('drops a huge header of control characters, keeps the others, and says so', () => {
    const headers = { huge: controls(200_000), trace: 'abc' };
    const letter = deadLetterRecord('dl', { ...record(Buffer.from('{}')), headers }, 'invalid_json');
    expect(recordBytes(letter)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(body(letter)).toMatchObject({ source, headers: { trace: 'abc' }, truncated: ['headers'] });
  });

  it('keeps the first of many headers, and says so', () => {
    const headers = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`h${i}`, controls(100)]));
    const letter = deadLetterRecord('dl', { ...record(Buffer.from('{}')), headers }, 'invalid_json');
    expect(recordBytes(letter)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const kept = body(letter);
    expect(kept.headers['h0']).toBe(controls(100));
    expect(Object.keys(kept.headers).length).toBeLessThan(20_000);
    expect(kept).toMatchObject({ truncated: ['headers'] });
  });

  it('cuts a huge reason, keeping its code, and says so', () => {
    const reason = `invalid_record: event: received '${controls(300_000)}'`;
    const letter = deadLetterRecord('dl', record(Buffer.from('{}')), reason);
    expect(recordBytes(letter)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(letter.headers).toEqual({ reason: 'invalid_record' });
    const kept = body(letter);
    expect(reason.startsWith(kept.reason)).toBe(true);
    expect(kept).toMatchObject({
      reason: expect.stringMatching(/^invalid_record: event: /),
      truncated: ['reason'],
    });
  });

  it('stays under the limit when everything is huge at once', () => {
    // Just under 256 KiB that passes as text, yet JSON writes it 2.47 times its size: six bytes
    // for each control character, among three-byte characters.
    const swelling = Buffer.from(`${controls(5)}€€€€`.repeat(15_420));
    const letter = deadLetterRecord(
      'dl',
      {
        ...record(swelling),
        key: notUtf8(2_000_000),
        headers: {
          huge: controls(900_000),
          ...Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`h${i}`, controls(100)])),
        },
      },
      controls(2_000_000),
    );
    expect(recordBytes(letter)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(body(letter)).toMatchObject({
      source,
      original_encoding: 'utf8',
      original_bytes: swelling.length,
      truncated: ['key', 'headers', 'reason'],
    });
  });
});
