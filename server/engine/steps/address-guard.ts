// SSRF guard for outgoing webhooks: refuses loopback, private, link-local and other internal targets.
//
// The check runs inside the socket's `lookup` hook, so the address that was checked is the address
// the socket connects to: there is no second resolution a DNS-rebinding server could answer
// differently. IP-literal hosts never reach `lookup`, so callers check those with `assertPublicIp`.

import dns from 'node:dns';
import net from 'node:net';

interface Range {
  name: string;
  list: net.BlockList;
}

function range(name: string, family: 'ipv4' | 'ipv6', subnets: [string, number][]): Range {
  const list = new net.BlockList();
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, family);
  return { name, list };
}

const IPV4_RANGES: Range[] = [
  // 0/8 is "this network"; Linux connects 0.0.0.0 to the local host.
  range('unspecified ("this network")', 'ipv4', [['0.0.0.0', 8]]),
  range('loopback', 'ipv4', [['127.0.0.0', 8]]),
  range('private', 'ipv4', [
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
  ]),
  range('carrier-grade NAT', 'ipv4', [['100.64.0.0', 10]]),
  // Holds the cloud metadata service (169.254.169.254) on AWS, GCP and Azure.
  range('link-local (cloud metadata)', 'ipv4', [['169.254.0.0', 16]]),
  // 192.0.0.0/24 hosts some providers' metadata endpoints; 198.18/15 is never on the internet.
  range('IETF protocol assignment', 'ipv4', [['192.0.0.0', 24]]),
  range('benchmarking', 'ipv4', [['198.18.0.0', 15]]),
  range('multicast', 'ipv4', [['224.0.0.0', 4]]),
  range('reserved or broadcast', 'ipv4', [['240.0.0.0', 4]]),
];

const IPV6_RANGES: Range[] = [
  range('unspecified', 'ipv6', [['::', 128]]),
  range('loopback', 'ipv6', [['::1', 128]]),
  // fc00::/7 also holds AWS's IPv6 metadata endpoint (fd00:ec2::254).
  range('unique local (private)', 'ipv6', [['fc00::', 7]]),
  range('link-local', 'ipv6', [['fe80::', 10]]),
  range('site-local', 'ipv6', [['fec0::', 10]]),
  range('multicast', 'ipv6', [['ff00::', 8]]),
];

/** Expands a valid IPv6 address into its eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  // The URL parser canonicalises every spelling (dotted tail, upper case) to compressed hex.
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...(tail === undefined ? [] : middle), ...right].map((g) =>
    Number.parseInt(g, 16),
  );
}

/** The IPv4 address inside an IPv6 form that carries one (mapped, compatible, NAT64, 6to4). */
function embeddedIpv4(address: string): { ipv4: string; form: string } | undefined {
  const g = ipv6Groups(address);
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const [g0 = 0, g1 = 0, g2 = 0, , , g5 = 0, g6 = 0, g7 = 0] = g;
  if (zeros(0, 5) && g5 === 0xffff) return { ipv4: quad(g6, g7), form: 'IPv4-mapped' };
  if (zeros(0, 6)) return { ipv4: quad(g6, g7), form: 'IPv4-compatible' };
  if (g0 === 0x64 && g1 === 0xff9b && zeros(2, 6)) return { ipv4: quad(g6, g7), form: 'NAT64' };
  if (g0 === 0x2002) return { ipv4: quad(g1, g2), form: '6to4' };
  return undefined;
}

/**
 * Names the internal range an IP address falls in, or `undefined` for a public address.
 * Anything that is not an IP address counts as blocked: the guard fails closed.
 *
 * @example blockedRange('10.1.2.3') // 'private'
 */
export function blockedRange(ip: string): string | undefined {
  // A scope id ("fe80::1%eth0") is not part of the address.
  const address = ip.replace(/%.*$/, '');
  const family = net.isIP(address);
  if (family === 4) return IPV4_RANGES.find((r) => r.list.check(address, 'ipv4'))?.name;
  if (family !== 6) return 'not an IP address';
  const own = IPV6_RANGES.find((r) => r.list.check(address, 'ipv6'))?.name;
  if (own) return own;
  const embedded = embeddedIpv4(address);
  const inner = embedded && blockedRange(embedded.ipv4);
  return inner && `${inner}, ${embedded.form}`;
}

/** Raised when a webhook target is internal; the engine treats it as permanent. */
export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'ERR_SUBFLOW_BLOCKED_ADDRESS';
  constructor(
    readonly address: string,
    readonly range: string,
    hostname?: string,
  ) {
    const target = hostname && hostname !== address ? `${hostname} (${address})` : address;
    super(
      `refusing to connect to ${target}: a ${range} address; ` +
        'allow private webhook targets in the config to reach internal hosts',
    );
  }
}

/** Throws BlockedAddressError when `ip` is in an internal range. */
export function assertPublicIp(
  ip: string,
  hostname?: string,
  rangeOf: (ip: string) => string | undefined = blockedRange,
): void {
  const blocked = rangeOf(ip);
  if (blocked) throw new BlockedAddressError(ip, blocked, hostname);
}

/** Resolves every address of a host; `dns.lookup` in production, a stub in tests. */
export type ResolveAll = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for http(s).request that resolves the host and refuses it when any of its addresses
 * is internal (a host with one public and one private address is not trusted either way).
 */
export function guardedLookup(
  resolveAll: ResolveAll = dns.lookup,
  rangeOf: (ip: string) => string | undefined = blockedRange,
): net.LookupFunction {
  return function guardedLookup(hostname, options, callback) {
    resolveAll(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      try {
        for (const { address } of addresses) assertPublicIp(address, hostname, rangeOf);
      } catch (blocked) {
        return callback(blocked as BlockedAddressError, []);
      }
      // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else one.
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) {
        const none = Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
        return callback(none, []);
      }
      callback(null, first.address, first.family);
    });
  };
}
