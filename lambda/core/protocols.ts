/**
 * IANA protocol numbers → keywords (lower-case), for the protocols a VPC actually carries.
 * A number not listed keeps `protocol: null` and its `protocol_number`.
 */
const IANA_PROTOCOLS: Readonly<Record<number, string>> = {
  0: 'hopopt', 1: 'icmp', 2: 'igmp', 3: 'ggp', 4: 'ipv4', 6: 'tcp', 8: 'egp', 9: 'igp',
  12: 'pup', 17: 'udp', 27: 'rdp', 33: 'dccp', 41: 'ipv6', 43: 'ipv6-route', 44: 'ipv6-frag',
  46: 'rsvp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp', 59: 'ipv6-nonxt', 60: 'ipv6-opts',
  88: 'eigrp', 89: 'ospfigp', 94: 'ipip', 97: 'etherip', 103: 'pim', 108: 'ipcomp', 112: 'vrrp',
  115: 'l2tp', 132: 'sctp', 136: 'udplite', 137: 'mpls-in-ip', 143: 'ethernet',
};

/** The IANA keyword for a protocol number (`6` → `tcp`), or `null` when unknown or absent. */
export function protocolName(protocolNumber: number | null | undefined): string | null {
  return protocolNumber === null || protocolNumber === undefined ? null : (IANA_PROTOCOLS[protocolNumber] ?? null);
}

/** Every keyword {@link protocolName} can give, for checking rules that name protocols. */
export const PROTOCOL_KEYWORDS: readonly string[] = Object.values(IANA_PROTOCOLS);
