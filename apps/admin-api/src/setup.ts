import { loadConfig, setting } from '@campaign-webhooks/config';
import { COMPACTED_TOPICS, TOPIC_DEFAULTS, topicNames, type TopicRole } from '@campaign-webhooks/contracts';
import { createKafkaClient, ensureTopics } from '@campaign-webhooks/kafka';
import { createLogger } from '@campaign-webhooks/observability';
import { runMigrations } from '@campaign-webhooks/persistence';
import { z } from 'zod';

const setupConfigSchema = setting.kafkaServiceSettings({
  DATABASE_URL: setting.postgresUrl,
  TOPIC_PARTITIONS: setting.positiveInt(8),
  COMPACTED_TOPIC_PARTITIONS: setting.positiveInt(3),
  LOG_LEVEL: setting.logLevel,
});

/**
 * `setup`: applies pending database migrations and creates missing Kafka topics. Safe to run
 * again; deployments run it before the services (the Helm chart as a pre-upgrade hook).
 */
export async function runSetup(): Promise<void> {
  const config = loadConfig('setup', setupConfigSchema);
  const logger = createLogger('setup', config.LOG_LEVEL);
  try {
    const migrations = await runMigrations(config.DATABASE_URL);
    logger.info({ migrations }, `database migrated (${migrations.length} applied)`);

    const names = topicNames(process.env);
    const kafka = createKafkaClient({ ...setting.kafkaConnection(config), clientId: 'setup', logger });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const specs = (Object.keys(TOPIC_DEFAULTS) as TopicRole[]).map((role) => {
        const compacted = COMPACTED_TOPICS.includes(role);
        return {
          topic: names[role],
          compacted,
          partitions: compacted ? config.COMPACTED_TOPIC_PARTITIONS : config.TOPIC_PARTITIONS,
        };
      });
      const created = await ensureTopics(admin, specs);
      logger.info({ created }, `topics ready (${created.length} created)`);
    } finally {
      await admin.disconnect();
    }
  } catch (error) {
    logger.fatal({ err: error }, `setup failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
