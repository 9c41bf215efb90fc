/**
 * - `unreachable`: no answer worth reading (refused URL or address, connection failure, timeout,
 *   HTTP 429 or 5xx); likely transient.
 * - `rejected`: the authorization server refused the request (other 4xx, such as `invalid_client`).
 * - `invalid_response`: it answered, but not with a usable bearer token (not JSON, no
 *   `access_token`, another `token_type`, a redirect).
 */
export type OAuthTokenErrorKind = 'unreachable' | 'rejected' | 'invalid_response';

export interface OAuthTokenErrorDetails {
  status?: number;
  /** The OAuth `error` code, when the server sent one. */
  oauthError?: string;
}

/** Its message names the token URL (origin and path only) and never holds the client secret. */
export class OAuthTokenError extends Error {
  readonly status: number | undefined;
  readonly oauthError: string | undefined;

  constructor(
    readonly kind: OAuthTokenErrorKind,
    message: string,
    details: OAuthTokenErrorDetails = {},
  ) {
    super(message);
    this.name = 'OAuthTokenError';
    this.status = details.status;
    this.oauthError = details.oauthError;
  }
}
