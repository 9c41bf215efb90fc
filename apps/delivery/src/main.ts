import { loadConfig } from '@campaign-webhooks/config';
import { createLogger, startService } from '@campaign-webhooks/observability';
import { AppModule, SERVICE } from './app/app.module';
import { deliveryConfigSchema } from './config';

const config = loadConfig(SERVICE, deliveryConfigSchema);
const logger = createLogger(SERVICE, config.LOG_LEVEL);
void startService({
  service: SERVICE,
  module: AppModule.register(config, logger),
  port: config.PORT,
  logger,
});
