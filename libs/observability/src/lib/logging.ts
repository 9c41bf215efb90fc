import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type Logger } from 'pino';

/** Credential fields anywhere they may appear in a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.clientSecret',
  '*.client_secret',
  '*.secret',
  '*.secrets',
  '*.credentials',
  '*.accessToken',
  '*.access_token',
  'auth.password',
  'auth.token',
  'auth.clientSecret',
  'body.auth.password',
  'body.auth.token',
  'body.auth.clientSecret',
];

/** One JSON logger per service, shared by NestJS, the HTTP layer and the Kafka client. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}

/**
 * The operations endpoints skip the request logger: its middleware runs every request in an
 * AsyncLocalStorage context, and once one runs Node.js hooks every promise of the process, the
 * Kafka and delivery hot paths included. Pipeline services serve nothing else, so they never pay.
 */
const OPERATIONS_ROUTES = ['metrics', 'healthz', 'readyz'].map((path) => ({
  path,
  method: RequestMethod.ALL,
}));

export function loggingModule(logger: Logger, logRequests = false) {
  return LoggerModule.forRoot({
    exclude: OPERATIONS_ROUTES,
    pinoHttp: {
      logger,
      autoLogging: logRequests,
      quietReqLogger: true,
    },
  });
}
