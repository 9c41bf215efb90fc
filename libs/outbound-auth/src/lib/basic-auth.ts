/**
 * `Basic base64(username:password)` (RFC 7617), UTF-8. The receiver splits at the first ':', so
 * a username containing one can't be represented and is refused; the password may contain any.
 */
export function basicAuthorization(username: string, password: string): string {
  if (username.includes(':')) {
    throw new TypeError('a Basic Auth username must not contain ":"');
  }
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
