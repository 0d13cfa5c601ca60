// Range table and lookup hook of the webhook SSRF guard; no sockets are opened here.

import type dns from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  assertPublicIp,
  BlockedAddressError,
  blockedRange,
  guardedLookup,
  type ResolveAll,
} from './address-guard.ts';

describe('blockedRange', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['192.0.0.192', 'IETF'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'unique local'],
    ['fd00:ec2::254', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['FEBF::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
  ])('blocks %s (%s)', (ip, name) => {
    expect(blockedRange(ip)).toContain(name);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback, IPv4-mapped'],
    ['::ffff:7f00:1', 'loopback, IPv4-mapped'],
    ['::FFFF:10.0.0.1', 'private, IPv4-mapped'],
    ['::ffff:169.254.169.254', 'link-local (cloud metadata), IPv4-mapped'],
    ['0:0:0:0:0:ffff:c0a8:0101', 'private, IPv4-mapped'],
    ['::10.0.0.1', 'private, IPv4-compatible'],
    ['64:ff9b::a00:1', 'private, NAT64'],
    ['2002:7f00:1::', 'loopback, 6to4'],
  ])('blocks the IPv4 inside %s', (ip, name) => {
    expect(blockedRange(ip)).toBe(name);
  });

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '9.255.255.255',
    '11.0.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '169.253.255.255',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2001:db8::1',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    'fbff:ffff::1',
    'fe7f::1',
  ])('allows public %s', (ip) => {
    expect(blockedRange(ip)).toBeUndefined();
  });

  it('fails closed on anything that is not an IP address', () => {
    expect(blockedRange('localhost')).toBe('not an IP address');
    expect(blockedRange('')).toBe('not an IP address');
    expect(blockedRange('999.0.0.1')).toBe('not an IP address');
  });
});

describe('assertPublicIp', () => {
  it('names the address, the range and the host in the error', () => {
    expect(() => assertPublicIp('169.254.169.254', 'metadata.internal')).toThrow(
      /metadata\.internal \(169\.254\.169\.254\): a link-local \(cloud metadata\) address/,
    );
    expect(() => assertPublicIp('8.8.8.8')).not.toThrow();
  });
});

/** A resolver stub answering from a table, so no DNS query leaves the machine. */
function stubResolver(table: Record<string, dns.LookupAddress[]>): ResolveAll {
  return (hostname, _options, callback) => {
    const addresses = table[hostname];
    if (!addresses) {
      const err: NodeJS.ErrnoException = Object.assign(
        new Error(`getaddrinfo ENOTFOUND ${hostname}`),
        {
          code: 'ENOTFOUND',
        },
      );
      return callback(err, []);
    }
    callback(null, addresses);
  };
}

function lookupOnce(
  lookup: ReturnType<typeof guardedLookup>,
  hostname: string,
  options: dns.LookupOptions,
): Promise<{ address: string | dns.LookupAddress[]; family?: number }> {
  return new Promise((resolve, reject) => {
    lookup(hostname, options, (err, address, family) => {
      if (err) reject(err);
      else resolve({ address, family });
    });
  });
}

describe('guardedLookup', () => {
  const lookup = guardedLookup(
    stubResolver({
      'public.test': [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ],
      'internal.test': [{ address: '10.0.0.5', family: 4 }],
      'mixed.test': [
        { address: '93.184.215.14', family: 4 },
        { address: '::ffff:192.168.0.1', family: 6 },
      ],
    }),
  );

  it('passes public addresses through unchanged, in the shape Node asked for', async () => {
    expect(await lookupOnce(lookup, 'public.test', {})).toEqual({
      address: '93.184.215.14',
      family: 4,
    });
    const all = await lookupOnce(lookup, 'public.test', { all: true });
    expect(all.address).toHaveLength(2);
  });

  it('refuses a host that resolves to a private address', async () => {
    const err = await lookupOnce(lookup, 'internal.test', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect((err as Error).message).toContain('internal.test (10.0.0.5): a private address');
  });

  it('refuses a host when any of its addresses is internal', async () => {
    const err = await lookupOnce(lookup, 'mixed.test', { all: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect((err as Error).message).toContain('::ffff:192.168.0.1');
  });

  it('passes resolver errors through', async () => {
    await expect(lookupOnce(lookup, 'nowhere.test', {})).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });
});
