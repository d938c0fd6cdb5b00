import { BlockList, isIP } from 'node:net';

/**
 * Addresses an outbound webhook may not reach unless PATRIOT_OUTBOUND_ALLOW_PRIVATE=true: this
 * host, private networks, link-local (the cloud metadata service at 169.254.169.254 among them),
 * and reserved or multicast ranges. Otherwise anyone able to add an endpoint could make the server
 * call into its own network (SSRF).
 */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24],
  ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) FORBIDDEN.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) FORBIDDEN.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address (v4 or v6, brackets allowed) is one outbound webhooks refuse by default; a name (not an IP) is not judged here. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  // an IPv4 address written as IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it is
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare)?.[1];
  const ip = mapped ?? bare;
  const family = isIP(ip);
  if (family === 0) return false;
  return FORBIDDEN.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** An IP literal (not a name: names are checked once resolved, at connect time). */
export const isIpLiteral = (host: string): boolean => isIP(host.replace(/^\[|\]$/g, '')) !== 0;
