import { deadLetterSchema } from '@campaign-webhooks/contracts';
import { deadLetterRecord, reasonCode } from './dead-letter';
import type { ConsumedRecord } from './records';

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
    expect(JSON.parse(String(letter.value))).toMatchObject({ original_bytes: huge.length });
  });

  it('keeps an original of control characters, which JSON would write six bytes each, as base64', () => {
    const controls = Buffer.alloc(256 * 1024, 0);
    const letter = deadLetterRecord('dl', record(controls), 'invalid_json');
    expect(String(letter.value).length).toBeLessThan(400 * 1024);
    expect(JSON.parse(String(letter.value))).toMatchObject({ original_encoding: 'base64' });
  });

  it('names the reason code before the colon', () => {
    expect(reasonCode('invalid_record: event: required')).toBe('invalid_record');
    expect(reasonCode('unknown_event')).toBe('unknown_event');
  });
});
