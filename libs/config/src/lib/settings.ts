import { parseSecretsKey } from '@campaign-webhooks/secrets';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { z } from 'zod';

/** Reusable settings, each parsed from one environment variable's text. */

const hostPort = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

function isHostPort(broker: string): boolean {
  const port = hostPort.exec(broker)?.[1];
  return port !== undefined && Number(port) >= 1 && Number(port) <= 65535;
}

export const kafkaBrokers = z
  .string()
  .default('127.0.0.1:9092')
  .transform((value) => value.split(',').map((broker) => broker.trim()))
  .refine((brokers) => brokers.every(isHostPort), {
    message: 'expected a comma-separated list of host:port, each port from 1 to 65535',
  });

/** 0 asks the system for any free port. */
export const port = (fallback: number) => {
  const message = 'expected a port number from 0 to 65535';
  return z
    .string()
    .regex(/^\s*\d{1,5}\s*$/, { message })
    .transform(Number)
    .refine((value) => value <= 65535, { message })
    .default(fallback);
};

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Whole milliseconds from `min` (1 unless given) to `max`. Each duration has a maximum: a timer
 * given more than 2^31-1 ms (24.8 days) fires at once.
 */
export const durationMs = (fallback: number, { min = 1, max }: { min?: number; max: number }) => {
  const message = `expected whole milliseconds from ${min} to ${max}`;
  return z.coerce
    .number({ error: message })
    .refine((ms) => Number.isInteger(ms) && ms >= min && ms <= max, { message })
    .default(fallback);
};

/**
 * How long one delivery attempt (or test send) waits: the contract's 5 s by default, at most a
 * minute, since each attempt holds one of its connection's in-flight slots that long.
 */
export const deliveryTimeoutMs = durationMs(5_000, { max: 60_000 });

/**
 * How the Kafka runtime trades latency for fewer broker requests: records produced within
 * KAFKA_LINGER_MS (0: within one turn of the event loop) go in one request, consumed offsets
 * are committed every KAFKA_COMMIT_INTERVAL_MS (a crash re-delivers at most that much), and a
 * fetch waits for KAFKA_FETCH_MIN_BYTES or KAFKA_FETCH_MAX_WAIT_MS, whichever comes first.
 */
export const kafkaTuning = {
  KAFKA_LINGER_MS: durationMs(0, { min: 0, max: 1_000 }),
  KAFKA_COMMIT_INTERVAL_MS: durationMs(250, { max: 60_000 }),
  KAFKA_FETCH_MIN_BYTES: positiveInt(1),
  // A consumer heartbeats between fetches, so a fetch waits well within the 10 s session timeout.
  KAFKA_FETCH_MAX_WAIT_MS: durationMs(1_000, { max: 5_000 }),
};

/**
 * kafkaTuning for the services whose consumers record what happened rather than deliver it (the
 * delivery log in admin-api, the notifier): no webhook waits on them, so their fetches wait for
 * 1 MiB or 250 ms. An outcome carries its request body, so at 5,000 webhooks/s 64 KiB came every
 * 13 ms; 1 MiB makes a few fetches a second, each one or two delivery-log statements.
 */
export const recordingKafkaTuning = {
  ...kafkaTuning,
  KAFKA_FETCH_MIN_BYTES: positiveInt(1_048_576),
  KAFKA_FETCH_MAX_WAIT_MS: durationMs(250, { max: 5_000 }),
};

/** The Kafka runtime's options from the kafkaTuning settings. */
export function kafkaRuntimeTuning(config: {
  KAFKA_LINGER_MS: number;
  KAFKA_COMMIT_INTERVAL_MS: number;
  KAFKA_FETCH_MIN_BYTES: number;
  KAFKA_FETCH_MAX_WAIT_MS: number;
}): { lingerMs: number; commitIntervalMs: number; fetch: { minBytes: number; maxWaitMs: number } } {
  return {
    lingerMs: config.KAFKA_LINGER_MS,
    commitIntervalMs: config.KAFKA_COMMIT_INTERVAL_MS,
    fetch: { minBytes: config.KAFKA_FETCH_MIN_BYTES, maxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS },
  };
}

/** Kafka's rule for a topic name: up to 249 of these characters, and not `.` or `..`. */
const topicName = z
  .string()
  .refine((name) => /^[A-Za-z0-9._-]{1,249}$/.test(name) && name !== '.' && name !== '..', {
    message: 'expected a Kafka topic name: 1 to 249 of A-Z a-z 0-9 . _ -',
  })
  .optional();

/** Renamed topics (TOPIC_ENV in @campaign-webhooks/contracts): every service reads them all. */
export const topicOverrides = {
  TOPIC_MESSAGE_EVENTS: topicName,
  TOPIC_SUBSCRIPTION_EVENTS: topicName,
  TOPIC_PROFILES: topicName,
  TOPIC_CONNECTIONS: topicName,
  TOPIC_MATCHED: topicName,
  TOPIC_DELIVERIES: topicName,
  TOPIC_RETRIES: topicName,
  TOPIC_OUTCOMES: topicName,
  TOPIC_ALERTS: topicName,
  TOPIC_DEAD_LETTER: topicName,
};

export const postgresUrl = z
  .string({ error: 'is required (postgres://user:password@host:port/database)' })
  .refine((value) => /^postgres(ql)?:\/\/[^/]+\/[^/?]+/.test(value), {
    message: 'expected postgres://user:password@host:port/database',
  });

export const endpointPolicy = z.enum(['public-https', 'allow-private']).default('public-https');

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

export const secretsKey = z
  .string({ error: 'is required (32 bytes as base64 or hex; generate one with `openssl rand -base64 32`)' })
  .refine(
    (value) => {
      try {
        parseSecretsKey(value); // what the services decode it with
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected 32 bytes as base64 (44 characters) or 64 hex characters' },
  );

export const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

/**
 * How the services reach the brokers: plaintext unless KAFKA_TLS; with KAFKA_TLS_CA_FILE, a PEM
 * bundle trusted besides the system's. KAFKA_SASL_MECHANISM with KAFKA_SASL_USERNAME and
 * KAFKA_SASL_PASSWORD logs in. kafkaServiceSettings builds a service's schema with them.
 */
export const kafkaSecurity = {
  KAFKA_TLS: boolean(false),
  KAFKA_TLS_CA_FILE: z
    .string()
    .refine(isReadableFile, { message: 'expected the path of a readable PEM file' })
    .optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
};

type KafkaSecuritySettings = { KAFKA_TLS: boolean; KAFKA_TLS_CA_FILE?: string } & {
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
};

/** A login needs all three SASL settings, and a CA file needs TLS. */
function kafkaLogin(config: KafkaSecuritySettings, context: z.RefinementCtx): void {
  const mechanism = config.KAFKA_SASL_MECHANISM;
  for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
    if (mechanism !== undefined && config[name] === undefined) {
      context.addIssue({
        code: 'custom',
        path: [name],
        message: 'is required when KAFKA_SASL_MECHANISM is set',
      });
    }
    if (mechanism === undefined && config[name] !== undefined) {
      context.addIssue({
        code: 'custom',
        path: [name],
        message: 'is set but KAFKA_SASL_MECHANISM is not (plain, scram-sha-256 or scram-sha-512)',
      });
    }
  }
  if (config.KAFKA_TLS_CA_FILE !== undefined && !config.KAFKA_TLS) {
    context.addIssue({
      code: 'custom',
      path: ['KAFKA_TLS_CA_FILE'],
      message: 'is set but KAFKA_TLS is not true',
    });
  }
}

/** The Kafka client's connection options from KAFKA_BROKERS and the kafkaSecurity settings. */
export function kafkaConnection(config: { KAFKA_BROKERS: string[] } & KafkaSecuritySettings): {
  brokers: string[];
  ssl?: true | { ca: string[] };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
} {
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = config;
  return {
    brokers: config.KAFKA_BROKERS,
    ...(config.KAFKA_TLS && {
      // A `ca` given to Node replaces its built-in CAs: they are kept, and the file's added.
      ssl: config.KAFKA_TLS_CA_FILE
        ? { ca: [...rootCertificates, readFileSync(config.KAFKA_TLS_CA_FILE, 'utf8')] }
        : true,
    }),
    ...(mechanism &&
      username !== undefined &&
      password !== undefined && { sasl: { mechanism, username, password } }),
  };
}

/**
 * A service's settings: the Kafka client's (KAFKA_BROKERS, the kafkaSecurity settings, the topic
 * names) with `shape`, the login checked as a whole.
 */
export function kafkaServiceSettings<Shape extends z.ZodRawShape>(shape: Shape) {
  return z
    .object({ KAFKA_BROKERS: kafkaBrokers, ...kafkaSecurity, ...topicOverrides, ...shape })
    .superRefine((config, context) => kafkaLogin(config as KafkaSecuritySettings, context));
}

function isReadableFile(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The static egress that "use static IP" connections leave through: a local address, or an
 * HTTP(S) proxy (undici hands a socks5:// proxy its own connections, past the address checks).
 * Not both: a schema that spreads these refines itself with oneStaticEgress.
 */
export const staticEgress = {
  STATIC_EGRESS_LOCAL_ADDRESS: z
    .string()
    .refine((text) => isIP(text) !== 0, { message: 'expected an IPv4 or IPv6 address' })
    .optional(),
  STATIC_EGRESS_PROXY_URL: z
    .string()
    .refine((text) => URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol), {
      message: 'expected an http:// or https:// proxy URL',
    })
    .optional(),
};

/** Refuses a local address and a proxy together, as the HTTP client would at start. */
export function oneStaticEgress(
  config: { STATIC_EGRESS_LOCAL_ADDRESS?: string; STATIC_EGRESS_PROXY_URL?: string },
  context: z.RefinementCtx,
): void {
  if (config.STATIC_EGRESS_LOCAL_ADDRESS !== undefined && config.STATIC_EGRESS_PROXY_URL !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['STATIC_EGRESS_PROXY_URL'],
      message: 'is set as well as STATIC_EGRESS_LOCAL_ADDRESS: choose one static egress, not both',
    });
  }
}

/** The static egress the settings configure, if any. */
export function staticEgressOf(config: {
  STATIC_EGRESS_LOCAL_ADDRESS?: string;
  STATIC_EGRESS_PROXY_URL?: string;
}): { localAddress?: string; proxyUrl?: string } | undefined {
  const { STATIC_EGRESS_LOCAL_ADDRESS: localAddress, STATIC_EGRESS_PROXY_URL: proxyUrl } = config;
  return localAddress || proxyUrl ? { localAddress, proxyUrl } : undefined;
}
