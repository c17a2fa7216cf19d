/** An IPv4 or IPv6 address as a number: 32 or 128 bits. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** A CIDR block: the addresses whose first `prefix` bits equal `base`'s. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
  /** As written, for messages. */
  readonly text: string;
  /** IPv4 blocks as 32-bit numbers, for the fast path: `(address & mask) >>> 0 === base`. */
  readonly v4?: { readonly base: number; readonly mask: number };
}

/**
 * A dotted IPv4 address as an unsigned 32-bit number, `undefined` for anything else. Written out by
 * hand: every alert classifies two addresses, and this is several times faster than a regex and BigInt.
 */
export function parseIpv4(text: string): number | undefined {
  const length = text.length;
  if (length < 7 || length > 15) return undefined;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // a leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

/** True when the 32-bit IPv4 `address` is in `cidr` (an IPv4 block). */
export function cidrContainsV4(cidr: Cidr, address: number): boolean {
  return cidr.v4 !== undefined && ((address & cidr.v4.mask) >>> 0) === cidr.v4.base;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted IPv4 or an IPv6 address (with `::` and an embedded IPv4 tail); `undefined` for anything else. */
export function parseIp(text: string): IpAddress | undefined {
  const address = parseRaw(text);
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address, for scopes and CIDR rules alike.
  return address !== undefined && address.family === 6 && address.value >> 32n === 0xffffn ? { family: 4, value: address.value & 0xffffffffn } : address;
}

function parseRaw(text: string): IpAddress | undefined {
  if (text.length > 45) return undefined;
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseV6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

function parseV4(text: string): bigint | undefined {
  const m = V4.exec(text);
  if (m === null) return undefined;
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255 || (m[i] as string).length > 1 && (m[i] as string).startsWith('0')) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  // A dotted IPv4 tail may only end the whole address: the tail after `::`, or the address when there is none.
  const groups = (part: string, last: boolean): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (last && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseV4(piece);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1] as string, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) return undefined;
  let value = 0n;
  for (const group of [...head, ...new Array<number>(Math.max(0, missing)).fill(0), ...tail]) value = (value << 16n) | BigInt(group);
  return value;
}

/** Parses `a.b.c.d/n` or `x::/n`; returns the reason as a string when it is not a CIDR block. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  if (slash === -1) return `"${text}" has no /prefix`;
  let address = parseRaw(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined) return `"${text.slice(0, slash)}" is not an IPv4 or IPv6 address`;
  const bits = address.family === 4 ? 32 : 128;
  let prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!Number.isInteger(prefix) || prefix > bits) return `"/${prefixText}" is not a prefix length from 0 to ${bits}`;
  // A block of IPv4-mapped addresses (::ffff:a.b.c.d/96 or longer) is the IPv4 block, as addresses are.
  if (address.family === 6 && prefix >= 96 && address.value >> 32n === 0xffffn) {
    address = { family: 4, value: address.value & 0xffffffffn };
    prefix -= 96;
  }
  const base = address.value & mask(address.family === 4 ? 32 : 128, prefix);
  return {
    family: address.family, base, prefix, text,
    ...(address.family === 4 && { v4: { base: Number(base), mask: prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0 } }),
  };
}

function mask(bits: number, prefix: number): bigint {
  return prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

/** True when `ip` is in `cidr` (same family). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  return (ip.value & mask(ip.family === 4 ? 32 : 128, cidr.prefix)) === cidr.base;
}

/** Parses CIDR blocks that are known to be valid (the built-in tables). */
export function cidrs(...texts: string[]): Cidr[] {
  return texts.map((t) => {
    const parsed = parseCidr(t);
    if (typeof parsed === 'string') throw new Error(`built-in CIDR ${t}: ${parsed}`);
    return parsed;
  });
}

/**
 * The canonical text of an address: dotted IPv4 (an IPv4-mapped address too), RFC 5952 IPv6
 * (lower case, longest zero run compressed), so one host has one name whatever the record wrote.
 */
export function canonicalIp(address: IpAddress): string {
  if (address.family === 4) {
    const n = Number(address.value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((address.value >> BigInt(112 - i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
