import { z } from 'zod';
import { parseConfig } from './load-config';
import * as setting from './settings';

const schema = z.object({
  KAFKA_BROKERS: setting.kafkaBrokers,
  DATABASE_URL: setting.postgresUrl,
  PORT: setting.port(3003),
  SECRETS_KEY: setting.secretsKey,
});
const valid = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('parseConfig', () => {
  it('applies defaults and types the values', () => {
    const config = parseConfig(schema, valid);
    expect(config).toEqual({
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      DATABASE_URL: valid.DATABASE_URL,
      PORT: 3003,
      SECRETS_KEY: valid.SECRETS_KEY,
    });
  });

  it('splits a broker list', () => {
    const config = parseConfig(schema, { ...valid, KAFKA_BROKERS: 'a:9092, b.example:19092' });
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b.example:19092']);
  });

  it('names a malformed broker list and shows the value', () => {
    expect(() => parseConfig(schema, { ...valid, KAFKA_BROKERS: 'localhost' })).toThrow(
      'invalid configuration: KAFKA_BROKERS expected a comma-separated list of host:port, each port from 1 to 65535 (got "localhost")',
    );
  });

  it('names a missing required setting', () => {
    expect(() => parseConfig(schema, { SECRETS_KEY: valid.SECRETS_KEY })).toThrow(
      /^invalid configuration: DATABASE_URL is required/,
    );
  });

  it('never echoes a secret value', () => {
    expect(() => parseConfig(schema, { ...valid, SECRETS_KEY: 'hunter2' })).toThrow(
      'invalid configuration: SECRETS_KEY expected 32 bytes as base64 (44 characters) or 64 hex characters',
    );
  });

  it('rejects a port out of range', () => {
    expect(() => parseConfig(schema, { ...valid, PORT: '70000' })).toThrow(
      /PORT expected a port number from 0 to 65535/,
    );
  });

  it('turns the Kafka tuning settings into runtime options, refusing a zero fetch size', () => {
    const tuning = z.object(setting.kafkaTuning);
    expect(setting.kafkaRuntimeTuning(parseConfig(tuning, {}))).toEqual({
      lingerMs: 0,
      commitIntervalMs: 250,
      fetch: { minBytes: 1, maxWaitMs: 1_000 },
    });
    const tuned = parseConfig(tuning, { KAFKA_FETCH_MIN_BYTES: '16384', KAFKA_FETCH_MAX_WAIT_MS: '20' });
    expect(setting.kafkaRuntimeTuning(tuned).fetch).toEqual({ minBytes: 16384, maxWaitMs: 20 });
    expect(() => parseConfig(tuning, { KAFKA_FETCH_MIN_BYTES: '0' })).toThrow(/KAFKA_FETCH_MIN_BYTES/);
  });

  it('lets the recording services fetch fuller batches by default, and still be tuned', () => {
    const tuning = z.object(setting.recordingKafkaTuning);
    expect(setting.kafkaRuntimeTuning(parseConfig(tuning, {})).fetch).toEqual({
      minBytes: 1_048_576,
      maxWaitMs: 250,
    });
    const tuned = parseConfig(tuning, { KAFKA_FETCH_MIN_BYTES: '1', KAFKA_FETCH_MAX_WAIT_MS: '1000' });
    expect(setting.kafkaRuntimeTuning(tuned).fetch).toEqual({ minBytes: 1, maxWaitMs: 1_000 });
  });
});
