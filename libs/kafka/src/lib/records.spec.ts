import { detachRecord, type ConsumedRecord } from './records';

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
