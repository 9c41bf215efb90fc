import { isIP } from 'node:net';
import type { AddressResolver } from './address-resolver';
import { systemResolver } from './dns-queries';
import { isForbiddenAddress } from './forbidden-address';

/**
 * `public-https`: https only, and only public unicast addresses (the default).
 * `allow-private`: http too, and any address; for local development and tests only.
 */
export type EndpointPolicy = 'public-https' | 'allow-private';

export const ENDPOINT_POLICIES: readonly EndpointPolicy[] = ['public-https', 'allow-private'];

export type EndpointUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export type ResolvedAddressCheck = { ok: true; addresses: string[] } | { ok: false; reason: string };

/** Whether the policy lets a URL of this scheme (`https:`) through: at save time and at send time. */
export function allowsScheme(protocol: string, policy: EndpointPolicy): boolean {
  return protocol === 'https:' || (protocol === 'http:' && policy === 'allow-private');
}

export function schemesAllowed(policy: EndpointPolicy): string {
  return policy === 'public-https' ? 'https://' : 'http:// or https://';
}

/**
 * Save-time validation of an endpoint URL. Hosts written as IP literals in any spelling are
 * normalised by the WHATWG parser (`2130706433`, `0x7f.1`, `127.1`, `[::ffff:127.0.0.1]`) and then
 * classified; names are checked for `localhost`, and their addresses by `resolveAndCheck`.
 */
export function checkEndpointUrl(url: string, policy: EndpointPolicy): EndpointUrlCheck {
  const allowedSchemes = schemesAllowed(policy);
  if (hasSpaceOrControl(url)) {
    return refuse('URL must not contain spaces or control characters');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse(`URL must be a full ${allowedSchemes} URL`);
  }
  if (!allowsScheme(parsed.protocol, policy)) {
    return refuse(`URL must be a full ${allowedSchemes} URL`);
  }
  if (!hasAuthority(url, parsed.protocol)) {
    return refuse(`URL must be a full ${allowedSchemes} URL, starting with ${parsed.protocol}//<host>`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return refuse("URL must not contain credentials; use the connection's authentication settings");
  }
  if (parsed.port === '0') {
    return refuse('URL port 0 is not valid');
  }
  const host = comparableHost(parsed.hostname);
  if (host === '') {
    return refuse('URL must name a host');
  }
  if (policy === 'allow-private') {
    return { ok: true, url: parsed };
  }
  if (isIP(host) !== 0) {
    const reason = isForbiddenAddress(host);
    return reason === undefined
      ? { ok: true, url: parsed }
      : refuse(`URL host ${host} is not a public address: ${reason}`);
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return refuse('URL host must not be localhost');
  }
  if (!host.includes('.')) {
    return refuse(`URL host ${host} must be a fully qualified domain name`);
  }
  return { ok: true, url: parsed };
}

/**
 * Save-time DNS check: every address the name resolves to must be allowed. Under `allow-private`
 * nothing is resolved and `addresses` is empty. The same check runs again on the address actually
 * dialled (`createGuardedLookup`), so a name that changes its answer later is still refused.
 */
export function resolveAndCheck(
  hostname: string,
  policy: EndpointPolicy,
  resolve: AddressResolver = systemResolver,
): Promise<ResolvedAddressCheck> {
  if (policy === 'allow-private') {
    return Promise.resolve({ ok: true, addresses: [] });
  }
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return new Promise((settle) => {
    try {
      resolve(host, { all: true }, (error, addresses) => {
        if (error !== null) {
          settle(refuse(`host ${host} does not resolve (${error.code ?? error.message})`));
          return;
        }
        if (addresses.length === 0) {
          settle(refuse(`host ${host} has no addresses`));
          return;
        }
        for (const { address } of addresses) {
          const reason = isForbiddenAddress(address);
          if (reason !== undefined) {
            // The kind of address, not the address: an internal name's is not the caller's to learn.
            settle(refuse(`host ${host} resolves to an address that is not public: ${reason}`));
            return;
          }
        }
        settle({ ok: true, addresses: addresses.map(({ address }) => address) });
      });
    } catch (error) {
      settle(refuse(`host ${host} does not resolve (${(error as Error).message})`));
    }
  });
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** `https:example.com` and `https:///example.com` parse, but are not what anyone should store. */
function hasAuthority(url: string, protocol: string): boolean {
  const prefix = `${protocol}//`;
  if (url.slice(0, prefix.length).toLowerCase() !== prefix) {
    return false;
  }
  const next = url.charAt(prefix.length);
  return next !== '' && next !== '/' && next !== '\\';
}

function hasSpaceOrControl(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code <= 0x20 || code === 0x7f) {
      return true;
    }
  }
  return false;
}

function comparableHost(hostname: string): string {
  const unbracketed = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return unbracketed.replace(/\.+$/, '');
}
