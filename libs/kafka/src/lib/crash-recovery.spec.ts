import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { pauseToStop, runAgainAfterCrashes } from './crash-recovery';

const CRASH = 'consumer.crash';

function fakeConsumer() {
  const emitter = new EventEmitter();
  const consumer = {
    events: { CRASH },
    on: (event: string, listener: (event: unknown) => void) => emitter.on(event, listener),
  } as unknown as Pick<Consumer, 'on' | 'events'>;
  const crash = (restart: boolean) => emitter.emit(CRASH, { payload: { error: new Error('boom'), restart } });
  return { consumer, crash };
}

function loop(shouldRun = () => true) {
  return {
    name: 'consumer group webhooks.delivery',
    logger: { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() },
    shouldRun: jest.fn(shouldRun),
    run: jest.fn(() => Promise.resolve()),
  };
}

describe('runAgainAfterCrashes', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs a consumer kafkajs left stopped again after the pause', async () => {
    const { consumer, crash } = fakeConsumer();
    const stopped = loop();
    runAgainAfterCrashes(consumer, stopped, 5_000);
    crash(false);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(stopped.run).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(stopped.run).toHaveBeenCalledTimes(1);
    expect(stopped.logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ err: expect.any(Error) }),
      expect.stringContaining('consumer group webhooks.delivery stopped'),
    );
  });

  it('leaves alone what kafkajs restarts itself, and a loop that is stopping', async () => {
    const { consumer, crash } = fakeConsumer();
    const restarted = loop();
    runAgainAfterCrashes(consumer, restarted, 5_000);
    crash(true);
    const stopping = loop(() => false);
    const other = fakeConsumer();
    runAgainAfterCrashes(other.consumer, stopping, 5_000);
    other.crash(false);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(restarted.run).not.toHaveBeenCalled();
    expect(stopping.run).not.toHaveBeenCalled();
  });

  it('keeps trying while running again fails', async () => {
    const { consumer, crash } = fakeConsumer();
    const failing = loop();
    failing.run.mockRejectedValueOnce(new Error('still down')).mockResolvedValue(undefined);
    runAgainAfterCrashes(consumer, failing, 5_000);
    crash(false);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(failing.run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(failing.run).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(20_000);
    expect(failing.run).toHaveBeenCalledTimes(2);
  });
});

describe('pauseToStop', () => {
  it('lets a stop go on when a crash has left kafkajs without a group to pause', () => {
    const warn = jest.fn();
    const consumer = {
      pause: () => {
        throw new Error('Consumer group was not initialized, consumer#run must be called first');
      },
    };
    expect(() =>
      pauseToStop(consumer, ['campaign.message-events'], {
        name: 'consumer group webhooks.filter',
        logger: { error: jest.fn(), warn, info: jest.fn(), debug: jest.fn() },
      }),
    ).not.toThrow();
    expect(warn).toHaveBeenCalledWith(
      expect.anything(),
      'consumer group webhooks.filter not paused: not in its group',
    );
  });
});
