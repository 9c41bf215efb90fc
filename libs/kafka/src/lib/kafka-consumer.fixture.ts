import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

/** The consumer events the loops listen to, as kafkajs names them. */
export const consumerEvents = {
  FETCH_START: 'fetch.start',
  CRASH: 'consumer.crash',
  GROUP_JOIN: 'consumer.group_join',
  STOP: 'consumer.stop',
  DISCONNECT: 'consumer.disconnect',
};

type CommittedOffset = { topic: string; partition: number; offset: string };

/**
 * A kafkajs consumer that runs nothing: the test hands batches to `handBatch` and emits events.
 * As kafkajs's, `disconnect` leaves the group (STOP) and then disconnects (DISCONNECT).
 */
export function fakeKafkaConsumer() {
  const listeners = new Map<string, ((event: { payload: unknown }) => void)[]>();
  const emit = (event: string, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener({ payload });
  };
  let eachBatch: (payload: EachBatchPayload) => Promise<void> = () => Promise.resolve();
  const consumer = {
    events: consumerEvents,
    on: (event: string, listener: (event: { payload: unknown }) => void) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    },
    connect: jest.fn(() => Promise.resolve()),
    subscribe: jest.fn(() => Promise.resolve()),
    run: jest.fn((config: { eachBatch: typeof eachBatch }) => {
      eachBatch = config.eachBatch;
      return Promise.resolve();
    }),
    pause: jest.fn(),
    resume: jest.fn(),
    commitOffsets: jest.fn<Promise<void>, [offsets: CommittedOffset[]]>(() => Promise.resolve()),
    disconnect: jest.fn(() => {
      emit(consumerEvents.STOP, null);
      emit(consumerEvents.DISCONNECT, null);
      return Promise.resolve();
    }),
  };
  return {
    consumer,
    kafka: { consumer: () => consumer } as unknown as Kafka,
    emit,
    handBatch: (payload: EachBatchPayload) => eachBatch(payload),
  };
}

/** One partition's messages at `offsets`, as kafkajs hands them to `eachBatch`. */
export function fetchedBatch(
  topic: string,
  partition: number,
  offsets: string[],
  heartbeat = () => Promise.resolve(),
) {
  const messages = offsets.map(message);
  return {
    batch: { topic, partition, messages, isEmpty: () => messages.length === 0 },
    resolveOffset: jest.fn(),
    heartbeat,
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload & { resolveOffset: jest.Mock };
}

function message(offset: string): KafkaMessage {
  return {
    offset,
    key: null,
    value: Buffer.from('{}'),
    headers: {},
    timestamp: '0',
    attributes: 0,
  } as KafkaMessage;
}
