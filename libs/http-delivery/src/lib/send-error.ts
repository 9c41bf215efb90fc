import type { SendErrorKind } from './send-result';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  // DNS queries (c-ares): the servers did not answer for the name, or refused to
  'ETIMEOUT',
  'ESERVFAIL',
  'EREFUSED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  // only a proxy refusing the tunnel aborts a request other than through the deadline
  'UND_ERR_ABORTED',
]);

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_)|CERT|SELF_SIGNED|^HOSTNAME_MISMATCH$|^UND_ERR_PRX_TLS$/;

export interface DescribedSendError {
  error: SendErrorKind;
  message: string;
}

export function describeSendError(error: unknown): DescribedSendError {
  const code = errorCode(error);
  const message = oneLine(errorMessage(error));
  if (code === 'EFORBIDDENADDRESS') {
    return { error: 'forbidden_address', message };
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return { error: 'timeout', message };
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return { error: 'tls', message };
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return { error: 'connection', message };
  }
  return { error: 'other', message };
}

function errorCode(error: unknown): string | undefined {
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const code = errorCode(inner);
      if (code !== undefined) {
        return code;
      }
    }
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(errorMessage).join('; ');
  }
  if (error instanceof Error) {
    return error.message !== '' ? error.message : error.name;
  }
  return String(error);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
