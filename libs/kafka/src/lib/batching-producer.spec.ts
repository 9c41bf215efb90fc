import { setTimeout as sleep } from 'node:timers/promises';
import { BatchingProducer } from './batching-producer';
import type { OutgoingRecord } from './records';

function records(...keys: string[]): OutgoingRecord[] {
  return keys.map((key) => ({ topic: 'webhooks.matched', key, value: key }));
}

/** A sink that holds each request until the test acknowledges it. */
function heldSink() {
  const requests: { keys: string[]; acknowledge(): void; refuse(error: Error): void }[] = [];
  const sink = {
    send: (sent: readonly OutgoingRecord[]) =>
      new Promise<void>((resolve, reject) => {
        requests.push({
          keys: sent.map((record) => String(record.key)),
          acknowledge: resolve,
          refuse: reject,
        });
      }),
  };
  return { sink, requests };
}

describe('BatchingProducer', () => {
  it('sends what is handed in within one turn of the event loop as one request, without a timer', async () => {
    const { sink, requests } = heldSink();
    const producer = new BatchingProducer(sink, 0);
    const first = producer.send(records('a', 'b'));
    const second = producer.send(records('c'));
    expect(requests).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(requests.map((request) => request.keys)).toEqual([['a', 'b', 'c']]);
    requests[0].acknowledge();
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
  });

  it('gathers what arrives during a request into the next one, sent once the first is acknowledged', async () => {
    const { sink, requests } = heldSink();
    const producer = new BatchingProducer(sink, 0);
    const first = producer.send(records('a'));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [producer.send(records('b')), producer.send(records('c'))];
    await sleep(5);
    expect(requests.map((request) => request.keys)).toEqual([['a']]);
    requests[0].acknowledge();
    await first;
    expect(requests.map((request) => request.keys)).toEqual([['a'], ['b', 'c']]);
    requests[1].acknowledge();
    await Promise.all(later);
  });

  it('waits for company for lingerMs when given one', () => {
    jest.useFakeTimers();
    try {
      const { sink, requests } = heldSink();
      const producer = new BatchingProducer(sink, 30);
      void producer.send(records('a'));
      jest.advanceTimersByTime(29);
      void producer.send(records('b'));
      expect(requests).toHaveLength(0);
      jest.advanceTimersByTime(1);
      expect(requests.map((request) => request.keys)).toEqual([['a', 'b']]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('sends at once when the records reach maxRecords', () => {
    const { sink, requests } = heldSink();
    const producer = new BatchingProducer(sink, 0, 3);
    void producer.send(records('a', 'b'));
    void producer.send(records('c'));
    expect(requests.map((request) => request.keys)).toEqual([['a', 'b', 'c']]);
  });

  it('rejects every caller whose records were in a refused request', async () => {
    const { sink, requests } = heldSink();
    const producer = new BatchingProducer(sink, 0);
    const sent = [producer.send(records('a')), producer.send(records('b'))];
    await new Promise((resolve) => setImmediate(resolve));
    requests[0].refuse(new Error('not enough replicas'));
    for (const promise of sent) await expect(promise).rejects.toThrow('not enough replicas');
  });
});
