import { loadConfig } from '@campaign-webhooks/config';
import { createLogger, startService } from '@campaign-webhooks/observability';
import { SwaggerModule } from '@nestjs/swagger';
import { withBodyRedaction } from './app/admin-logger';
import { AppModule, SERVICE } from './app/app.module';
import { ApiKeyGuard } from './app/auth/api-key.guard';
import { buildOpenApiDocument, methodNotAllowed } from './app/openapi';
import { useSecurityHeaders } from './app/security-headers';
import { EndpointUrlConstraint } from './app/connections/endpoint-url.constraint';
import { requestBodyHandlers } from './app/request-body';
import { useValidationConstraints, validationPipe } from './app/validation';
import { adminConfigSchema } from './config';
import { runSetup } from './setup';

if (process.argv[2] === 'setup') {
  void runSetup();
} else {
  const config = loadConfig(SERVICE, adminConfigSchema);
  const logger = withBodyRedaction(createLogger(SERVICE, config.LOG_LEVEL));
  void startService({
    service: SERVICE,
    module: AppModule.register(config, logger),
    port: config.PORT,
    logger,
    configure(app) {
      useSecurityHeaders(app);
      const document = buildOpenApiDocument(app);
      app.use(methodNotAllowed(document));
      // Every /v1 route needs a key: checked before a body is read, so that bad bodies from
      // clients without one are refused as such, and rate limited.
      app.use('/v1', app.get(ApiKeyGuard).checkBeforeBody(logger));
      app.use(...requestBodyHandlers());
      useValidationConstraints(app.get(EndpointUrlConstraint));
      app.useGlobalPipes(validationPipe());
      SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
    },
  });
}
