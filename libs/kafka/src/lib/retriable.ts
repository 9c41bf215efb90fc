/** A kafkajs error the broker expects to go away by itself, such as a partition whose leader is loading. */
export function isKafkaRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'retriable' in error && error.retriable === true;
}

/**
 * Runs `action` again while it fails with an error kafkajs calls retriable, `delayMs` apart, at
 * most `attempts` times in all. kafkajs's admin client gives up on most of them at once: right
 * after topics are made, reading their offsets can answer "not the leader" for a second or two.
 */
export async function retryWhileRetriable<T>(
  action: () => Promise<T>,
  { attempts = 20, delayMs = 500 }: { attempts?: number; delayMs?: number } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= attempts || !isKafkaRetriable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
