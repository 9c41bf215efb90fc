import { KafkaJSNonRetriableError } from 'kafkajs';
import { notLeader } from './kafka-errors.fixture';
import { retryWhileRetriable } from './retriable';

describe('retryWhileRetriable', () => {
  it('runs the action again after retriable errors until it succeeds', async () => {
    const action = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(notLeader())
      .mockRejectedValueOnce(notLeader())
      .mockResolvedValue('offsets');
    await expect(retryWhileRetriable(action, { delayMs: 1 })).resolves.toBe('offsets');
    expect(action).toHaveBeenCalledTimes(3);
  });

  it('gives up at once on an error that is not retriable', async () => {
    const action = jest.fn(() => Promise.reject(new KafkaJSNonRetriableError('Invalid topic')));
    await expect(retryWhileRetriable(action, { delayMs: 1 })).rejects.toThrow('Invalid topic');
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('gives up after its attempts with the last error', async () => {
    const action = jest.fn(() => Promise.reject(notLeader()));
    await expect(retryWhileRetriable(action, { attempts: 3, delayMs: 1 })).rejects.toThrow('not the leader');
    expect(action).toHaveBeenCalledTimes(3);
  });
});
