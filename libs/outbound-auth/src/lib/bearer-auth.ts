/** `Bearer <token>` (RFC 6750); the token is sent as given. */
export function bearerAuthorization(token: string): string {
  return `Bearer ${token}`;
}
