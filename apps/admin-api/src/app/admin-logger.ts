import { REDACTED_PATHS } from '@campaign-webhooks/observability';
import type { Logger } from 'pino';

/**
 * Request and error bodies wherever they could end up in a log line. The request serializer does not
 * include bodies today; these paths keep it that way if a serializer or an error (body-parser errors
 * carry the raw text as `body`) ever brings one along, since admin bodies hold credentials.
 */
export const BODY_REDACTED_PATHS = ['body', '*.body', 'req.raw.body', 'err.raw.body', 'rawBody', '*.rawBody'];

/** The service logger with bodies redacted as well as the shared credential fields. */
export function withBodyRedaction(logger: Logger): Logger {
  return logger.child(
    {},
    { redact: { paths: [...REDACTED_PATHS, ...BODY_REDACTED_PATHS], censor: '[redacted]' } },
  );
}
