import { BlockList, isIP } from 'node:net';

/**
 * Who may send alerts: addresses, CIDRs and the preset `tradingview` (the four addresses
 * TradingView publishes for its webhooks: https://www.tradingview.com/support/solutions/43000529348/).
 * Matched against the client address Fastify yields (the real one behind trusted proxies).
 */
export const TRADINGVIEW_SENDERS = ['52.89.214.238', '34.212.75.30', '54.218.53.128', '52.32.178.7'] as const;

export const TRADINGVIEW_PRESET = 'tradingview';

/** An entry of an allowlist: an IPv4/IPv6 address, a CIDR, or `tradingview`. */
export function isSourceEntry(text: string): boolean {
  return text === TRADINGVIEW_PRESET || isAddressOrCidr(text);
}

/** An IPv4/IPv6 address or a CIDR block of one. */
export function isAddressOrCidr(text: string): boolean {
  const [address, bits, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^[0-9]{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** The first entry that is not an address, a CIDR or `tradingview`; undefined when all are. */
export function invalidSourceEntry(entries: readonly string[]): string | undefined {
  return entries.find((entry) => !isSourceEntry(entry));
}

export interface SourceAllowlist {
  /** true when the client address is on the list */
  allows(address: string): boolean;
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is checked as 1.2.3.4. */
function plain(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const mapped = /^::ffff:([0-9.]+)$/i.exec(address);
  const text = mapped?.[1] ?? address;
  const family = isIP(text);
  return family === 4 ? { address: text, family: 'ipv4' } : family === 6 ? { address: text, family: 'ipv6' } : undefined;
}

/** Compiles valid entries (see isSourceEntry) into a matcher; throws on an invalid one. */
export function sourceAllowlist(entries: readonly string[]): SourceAllowlist {
  const list = new BlockList();
  for (const entry of entries) {
    if (!isSourceEntry(entry)) throw new Error(`not an address or CIDR: ${entry}`);
    if (entry === TRADINGVIEW_PRESET) {
      for (const address of TRADINGVIEW_SENDERS) list.addAddress(address, 'ipv4');
      continue;
    }
    const [address = '', bits] = entry.split('/');
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return {
    allows(address: string): boolean {
      const client = plain(address);
      return client !== undefined && list.check(client.address, client.family);
    },
  };
}

/** Comma-separated entries (PATRIOT_WEBHOOK_ALLOW), trimmed; empty entries dropped. */
export function splitSourceList(raw: string): string[] {
  return raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
}
