import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';

export interface KafkaLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: KafkaLogger;
  /** TLS to the brokers: true trusts Node's built-in CAs; `ca` is the whole list trusted. */
  ssl?: true | { ca: string[] };
  sasl?: Extract<SASLOptions, { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' }>;
}

export function createKafkaClient({ brokers, clientId, logger, ssl, sasl }: KafkaClientOptions): Kafka {
  return new Kafka({
    brokers,
    clientId,
    ssl,
    sasl,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    // Keep reconnecting for as long as the process lives: a broker restart must not kill a service.
    retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: Number.MAX_SAFE_INTEGER },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafkaEntry(logger, entry),
  });
}

function logKafkaEntry(logger: KafkaLogger, { level, namespace, log }: LogEntry): void {
  const { message, ...fields } = log;
  const context: Record<string, unknown> = { kafka: namespace, ...fields };
  delete context['timestamp'];
  delete context['logger'];
  if (level === logLevel.ERROR) logger.error(context, message);
  else if (level === logLevel.WARN) logger.warn(context, message);
  else if (level === logLevel.INFO) logger.info(context, message);
  else logger.debug(context, message);
}
