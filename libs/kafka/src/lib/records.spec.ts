import { detachRecord, MAX_RECORD_BYTES, oversizeBytes, type ConsumedRecord } from './records';

describe('detachRecord', () => {
  it('copies the key and value out of the fetch response they were views into', () => {
    // As kafkajs decodes them: slices of one buffer that holds the whole response.
    const response = Buffer.from('....connection-7{"event":"message_open"}....');
    const key = response.subarray(4, 16);
    const value = response.subarray(16, 40);
    const record: ConsumedRecord = {
      topic: 'webhooks.retries',
      partition: 2,
      offset: '9',
      key,
      value,
      headers: { 'webhook-attempt': '2' },
      timestamp: 0,
    };

    detachRecord(record);

    expect(String(record.key)).toBe('connection-7');
    expect(String(record.value)).toBe('{"event":"message_open"}');
    for (const own of [record.key, record.value]) {
      expect(own?.buffer).not.toBe(response.buffer);
      expect(own?.buffer.byteLength).toBe(own?.length);
    }
    response.fill(0);
    expect(String(record.value)).toBe('{"event":"message_open"}');
  });

  it('leaves a missing key or value missing', () => {
    const record: ConsumedRecord = {
      topic: 'webhooks.deliveries',
      partition: 0,
      offset: '0',
      key: null,
      value: null,
      headers: {},
      timestamp: 0,
    };
    detachRecord(record);
    expect(record.key).toBeNull();
    expect(record.value).toBeNull();
  });
});

describe('oversizeBytes', () => {
  const record = (value: string | Buffer) => ({ topic: 'webhooks.deliveries', key: 'c-1', value });

  it('measures in UTF-8 a string whose length alone could put it over the limit', () => {
    // 400,000 characters: 400 kB as ASCII, 1.2 MB as three-byte euro signs.
    expect(oversizeBytes(record('a'.repeat(400_000)))).toBeUndefined();
    expect(oversizeBytes(record('€'.repeat(400_000)))).toBeGreaterThan(MAX_RECORD_BYTES);
  });

  it('counts a buffer, the key and the headers', () => {
    expect(oversizeBytes(record(Buffer.alloc(MAX_RECORD_BYTES)))).toBeGreaterThan(MAX_RECORD_BYTES);
    expect(
      oversizeBytes({ ...record('{}'), headers: { trace: 'x'.repeat(MAX_RECORD_BYTES) } }),
    ).toBeGreaterThan(MAX_RECORD_BYTES);
    expect(oversizeBytes(record(Buffer.alloc(MAX_RECORD_BYTES - 1_000)))).toBeUndefined();
  });
});
