import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';

export interface StartServiceOptions {
  service: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  module: any;
  port: number;
  logger: PinoLogger;
  configure?(app: INestApplication): void;
}

/**
 * The fixed bootstrap of every service: buffered logs until the pino logger is in place, then
 * the app's own setup, then shutdown hooks so SIGTERM drains consumers and requests.
 */
export async function startService({ service, module, port, logger, configure }: StartServiceOptions) {
  const app = await NestFactory.create(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  configure?.(app);
  app.enableShutdownHooks();
  const server = app.getHttpServer();
  // Outlive the idle timeouts of clients and load balancers (often 60 s), so a reused connection
  // is never closed under a request that is just being sent.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  try {
    await app.listen(port, '0.0.0.0');
  } catch (error) {
    // A setting that cannot work, like any other: one line naming it, not a stack trace.
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    process.stderr.write(`${service}: PORT ${port} is already in use\n`);
    process.exit(1);
  }
  logger.info({ port }, `${service} listening on port ${port}`);
  return app;
}
