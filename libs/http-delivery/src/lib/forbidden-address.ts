import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

const METADATA_ADDRESSES = new Set(
  [
    '169.254.169.254', // AWS, GCP, Azure, OpenStack, DigitalOcean, ...
    '169.254.170.2', // AWS ECS task metadata
    '168.63.129.16', // Azure wire server: a public address only reachable from inside Azure
    '100.100.100.200', // Alibaba Cloud
    '192.0.0.192', // Oracle Cloud
    'fd00:ec2::254', // AWS over IPv6
  ].map((address) => ipaddr.parse(address).toString()),
);

const IPV4_REASONS: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT (RFC 6598)',
  private: 'private network (RFC 1918)',
};

const IPV6_REASONS: Record<string, string> = {
  unspecified: 'unspecified',
  linkLocal: 'link-local',
  multicast: 'multicast',
  loopback: 'loopback',
  uniqueLocal: 'unique local (RFC 4193)',
};

const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as [IPv6, number];
const LOCAL_USE_NAT64 = ipaddr.parseCIDR('64:ff9b:1::/48') as [IPv6, number];

/**
 * Why an endpoint must not be dialled at this address, or undefined when it is a public unicast
 * address. Accepts any spelling ipaddr.js parses (octal, hex, short IPv4 forms, IPv6 with zone);
 * anything unparseable is refused.
 */
export function isForbiddenAddress(ip: string): string | undefined {
  let address: IPv4 | IPv6;
  try {
    address = ipaddr.parse(ip);
  } catch {
    return 'not an IP address';
  }
  if (METADATA_ADDRESSES.has(address.toString())) {
    return 'cloud metadata service';
  }
  return address.kind() === 'ipv4' ? classifyIPv4(address as IPv4) : classifyIPv6(address as IPv6);
}

function classifyIPv4(address: IPv4): string | undefined {
  const range: string = address.range();
  if (range === 'unicast') {
    return undefined;
  }
  return IPV4_REASONS[range] ?? 'reserved';
}

function classifyIPv6(address: IPv6): string | undefined {
  const range: string = address.range();
  switch (range) {
    case 'ipv4Mapped':
      return classifyEmbedded(ipv4From(address, 6), 'IPv4-mapped');
    case 'rfc6145':
      return classifyEmbedded(ipv4From(address, 6), 'IPv4-translated');
    case 'rfc6052':
      if (address.match(LOCAL_USE_NAT64)) {
        return 'reserved (local-use NAT64, RFC 8215)';
      }
      return classifyEmbedded(ipv4From(address, 6), 'NAT64');
    case '6to4':
      return classifyEmbedded(ipv4From(address, 1), '6to4');
    case 'unicast':
      return address.match(GLOBAL_UNICAST) ? undefined : 'reserved';
    default:
      return IPV6_REASONS[range] ?? 'reserved';
  }
}

function classifyEmbedded(embedded: IPv4, how: string): string | undefined {
  const reason = isForbiddenAddress(embedded.toString());
  return reason === undefined ? undefined : `${reason} (${how} ${embedded.toString()})`;
}

function ipv4From(address: IPv6, firstPart: number): IPv4 {
  const high = address.parts[firstPart];
  const low = address.parts[firstPart + 1];
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}
