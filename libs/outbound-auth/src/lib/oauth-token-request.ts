import { checkEndpointUrl, type EndpointPolicy } from '@campaign-webhooks/http-delivery';
import { request, type Dispatcher } from 'undici';
import { basicAuthorization } from './basic-auth';
import { OAuthTokenError } from './oauth-token-error';

export interface TokenRequestConfig {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Sent as the `audience` parameter (as Auth0, Okta and others name the target API). */
  audience?: string;
}

export interface TokenExchangeOptions {
  dispatcher: Dispatcher;
  policy: EndpointPolicy;
  timeoutMs: number;
}

export interface IssuedToken {
  accessToken: string;
  /** `expires_in`, when the server sent a usable one. */
  expiresInSeconds: number | undefined;
}

const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_QUOTED_TEXT = 200;
const VISIBLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * One OAuth 2.0 client-credentials exchange (RFC 6749 §4.4) with `client_secret_basic`. Throws
 * `OAuthTokenError`; no message ever contains the client secret.
 */
export async function requestClientCredentialsToken(
  config: TokenRequestConfig,
  options: TokenExchangeOptions,
): Promise<IssuedToken> {
  try {
    return await exchange(config, options);
  } catch (error) {
    throw withoutSecret(asTokenError(error, config, options), config.clientSecret);
  }
}

async function exchange(config: TokenRequestConfig, options: TokenExchangeOptions): Promise<IssuedToken> {
  const endpoint = describeEndpoint(config.tokenUrl);
  const urlCheck = checkEndpointUrl(config.tokenUrl, options.policy);
  if (!urlCheck.ok) {
    throw new OAuthTokenError('unreachable', `OAuth token URL refused: ${urlCheck.reason}`);
  }
  const deadline = AbortSignal.timeout(options.timeoutMs);
  // undici honours the signal only once connected: the race settles at the deadline regardless.
  const response = await byDeadline(
    request(urlCheck.url, {
      dispatcher: options.dispatcher,
      method: 'POST',
      headers: {
        authorization: clientSecretBasic(config.clientId, config.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: tokenRequestBody(config),
      signal: deadline,
    }),
    deadline,
  );
  const text = await readCappedText(response.body, endpoint);
  return interpretTokenResponse(response.statusCode, text, endpoint);
}

/** Rejects with the signal's reason once it aborts; a response that comes later is discarded. */
function byDeadline(
  pending: Promise<Dispatcher.ResponseData>,
  deadline: AbortSignal,
): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const expire = (): void => {
      reject(deadline.reason);
      pending.then(
        (late) => late.body.destroy(),
        () => undefined,
      );
    };
    if (deadline.aborted) {
      expire();
      return;
    }
    deadline.addEventListener('abort', expire, { once: true });
    pending.then(
      (response) => {
        deadline.removeEventListener('abort', expire);
        resolve(response);
      },
      (error: unknown) => {
        deadline.removeEventListener('abort', expire);
        reject(error);
      },
    );
  });
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding. */
export function clientSecretBasic(clientId: string, clientSecret: string): string {
  return basicAuthorization(formEncode(clientId), formEncode(clientSecret));
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function tokenRequestBody(config: TokenRequestConfig): string {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (config.scope !== undefined && config.scope !== '') {
    form.set('scope', config.scope);
  }
  if (config.audience !== undefined && config.audience !== '') {
    form.set('audience', config.audience);
  }
  return form.toString();
}

async function readCappedText(body: Dispatcher.ResponseData['body'], endpoint: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw new OAuthTokenError(
        'invalid_response',
        `OAuth token endpoint ${endpoint} sent more than ${MAX_RESPONSE_BYTES} bytes`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function interpretTokenResponse(status: number, text: string, endpoint: string): IssuedToken {
  if (status >= 200 && status < 300) {
    return readIssuedToken(text, endpoint, status);
  }
  const details = oauthErrorOf(text);
  const answer = `HTTP ${status}${details.summary}`;
  if (status === 429 || status >= 500) {
    throw new OAuthTokenError('unreachable', `OAuth token endpoint ${endpoint} is unavailable: ${answer}`, {
      status,
      oauthError: details.error,
    });
  }
  if (status >= 300 && status < 400) {
    throw new OAuthTokenError(
      'invalid_response',
      `OAuth token endpoint ${endpoint} answered ${answer}; redirects are not followed`,
      { status },
    );
  }
  throw new OAuthTokenError('rejected', `OAuth token request to ${endpoint} was rejected: ${answer}`, {
    status,
    oauthError: details.error,
  });
}

function readIssuedToken(text: string, endpoint: string, status: number): IssuedToken {
  const invalid = (problem: string): OAuthTokenError =>
    new OAuthTokenError(
      'invalid_response',
      `OAuth token endpoint ${endpoint} answered HTTP ${status} ${problem}`,
      {
        status,
      },
    );
  const document = parseJsonObject(text);
  if (document === undefined) {
    throw invalid('with a body that is not a JSON object');
  }
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn } = document;
  if (typeof accessToken !== 'string' || !VISIBLE_ASCII.test(accessToken)) {
    throw invalid('without a usable access_token');
  }
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw invalid(`with token_type ${quote(String(tokenType))}, not Bearer`);
  }
  return { accessToken, expiresInSeconds: positiveSeconds(expiresIn) };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function positiveSeconds(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

function oauthErrorOf(text: string): { error: string | undefined; summary: string } {
  const document = parseJsonObject(text);
  const error = typeof document?.error === 'string' ? quote(document.error) : undefined;
  const description =
    typeof document?.error_description === 'string' ? quote(document.error_description) : undefined;
  if (error === undefined) {
    return { error: undefined, summary: '' };
  }
  return { error, summary: description === undefined ? ` ${error}` : ` ${error} (${description})` };
}

/** Server-supplied text, made safe to put in a log line. */
function quote(text: string): string {
  const printable = text.replace(/\p{Cc}+/gu, ' ');
  return printable.length > MAX_QUOTED_TEXT ? `${printable.slice(0, MAX_QUOTED_TEXT)}…` : printable;
}

/** Origin and path: a query string could carry something secret. */
function describeEndpoint(tokenUrl: string): string {
  try {
    const url = new URL(tokenUrl);
    return `${url.origin}${url.pathname}`;
  } catch {
    return 'the token URL';
  }
}

function asTokenError(
  error: unknown,
  config: TokenRequestConfig,
  options: TokenExchangeOptions,
): OAuthTokenError {
  if (error instanceof OAuthTokenError) {
    return error;
  }
  const endpoint = describeEndpoint(config.tokenUrl);
  return new OAuthTokenError(
    'unreachable',
    `OAuth token request to ${endpoint} failed: ${describeFailure(error, options)}`,
  );
}

function describeFailure(error: unknown, options: TokenExchangeOptions): string {
  const { name, message, code } = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
  };
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `no answer within ${options.timeoutMs} ms`;
  }
  if (typeof message === 'string' && message !== '') {
    return message;
  }
  return typeof code === 'string' ? code : String(error);
}

function withoutSecret(error: OAuthTokenError, secret: string): OAuthTokenError {
  if (secret === '' || !error.message.includes(secret)) {
    return error;
  }
  return new OAuthTokenError(error.kind, error.message.split(secret).join('[redacted]'), {
    status: error.status,
    oauthError: error.oauthError,
  });
}
