import type { Consumer } from 'kafkajs';
import type { KafkaLogger } from './kafka-client';

export interface RecoverableLoop {
  /** Names the loop in the log. */
  name: string;
  logger: KafkaLogger;
  /** False once the loop is stopping: a crash then is left alone. */
  shouldRun(): boolean;
  /** Connects, subscribes and runs the consumer again. */
  run(): Promise<void>;
}

const RUN_AGAIN_AFTER_MS = 5_000;

/**
 * kafkajs restarts a crashed consumer by itself only after a retriable error. Any other leaves it
 * stopped for good, "Failed to find group coordinator" among them, which a broker restart can
 * cause. This runs such a consumer again after a pause, for as long as its loop is meant to run.
 */
export function runAgainAfterCrashes(
  consumer: Pick<Consumer, 'on' | 'events'>,
  loop: RecoverableLoop,
  delayMs = RUN_AGAIN_AFTER_MS,
): void {
  const runAgainLater = () => {
    setTimeout(() => {
      if (!loop.shouldRun()) return;
      loop.run().catch((error: unknown) => {
        loop.logger.error(
          { err: error },
          `${loop.name} did not start again; next try in ${delayMs / 1000} s`,
        );
        runAgainLater();
      });
    }, delayMs).unref();
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || !loop.shouldRun()) return;
    loop.logger.error(
      { err: payload.error },
      `${loop.name} stopped after an error kafkajs does not retry; starting it again in ${delayMs / 1000} s`,
    );
    runAgainLater();
  });
}

/**
 * Stops a consumer's fetching for good, as its loop stops. Between a crash and its restart
 * kafkajs has no group to pause, and nothing is being fetched: no reason to fail the stop.
 */
export function pauseToStop(
  consumer: Pick<Consumer, 'pause'>,
  topics: readonly string[],
  loop: Pick<RecoverableLoop, 'name' | 'logger'>,
): void {
  try {
    consumer.pause(topics.map((topic) => ({ topic })));
  } catch (error) {
    loop.logger.warn({ err: error }, `${loop.name} not paused: not in its group`);
  }
}
