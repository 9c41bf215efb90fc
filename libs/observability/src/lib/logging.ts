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

export function loggingModule(logger: Logger, logRequests = false) {
  return LoggerModule.forRoot({
    pinoHttp: {
      logger,
      autoLogging: logRequests ? { ignore: (req) => isOperationsPath(req.url) } : false,
      quietReqLogger: true,
    },
  });
}

function isOperationsPath(url: string | undefined): boolean {
  return url === '/metrics' || url === '/healthz' || url === '/readyz';
}
