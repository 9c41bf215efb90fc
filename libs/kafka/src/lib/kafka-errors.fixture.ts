import { KafkaJSProtocolError } from 'kafkajs';

/** As kafkajs's admin client rejects right after topics are made (broker error code 6). */
export const notLeader = () =>
  new KafkaJSProtocolError(
    Object.assign(new Error('This server is not the leader for that topic-partition'), {
      type: 'NOT_LEADER_FOR_PARTITION',
      code: 6,
      retriable: true,
    }),
  );
