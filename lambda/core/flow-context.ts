import type { Cidr, IpAddress } from './ip-address';
import { cidrContains, cidrContainsV4, cidrs, parseIp, parseIpv4 } from './ip-address';

/** Whether an address is inside the organisation's networks. */
export const SCOPES = ['private', 'public'] as const;
export type Scope = (typeof SCOPES)[number];

/** Which way a flow crosses the boundary between private and public addresses. */
export const DIRECTIONS = ['inbound', 'outbound', 'internal', 'external'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/**
 * Addresses that are never on the internet: RFC 1918, RFC 6598 shared space (100.64/10), loopback,
 * link-local, and IPv6 loopback, unique-local (fc00::/7) and link-local (fe80::/10).
 */
export const PRIVATE_CIDRS: readonly Cidr[] = cidrs(
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16',
  '::1/128', 'fc00::/7', 'fe80::/10',
);

/** `private` when `ip` is in a private range or in `internal`, `public` otherwise; `null` when absent or not an address. */
export function scopeOf(ip: string | null, internal: readonly Cidr[] = []): Scope | null {
  if (ip === null) return null;
  const v4 = parseIpv4(ip);
  if (v4 !== undefined) return isPrivateV4(v4) || internal.some((r) => cidrContainsV4(r, v4)) ? 'private' : 'public';
  // parseIp reads an IPv4-mapped IPv6 address as the IPv4 address.
  const address: IpAddress | undefined = parseIp(ip);
  if (address === undefined) return null;
  const inside = (ranges: readonly Cidr[]): boolean => ranges.some((r) => cidrContains(r, address));
  return inside(PRIVATE_CIDRS) || inside(internal) ? 'private' : 'public';
}

/** RFC 1918, RFC 6598, loopback and link-local, on the 32-bit address. */
function isPrivateV4(a: number): boolean {
  const top = a >>> 24;
  return top === 10 || top === 127 || a >>> 20 === 0xac1 || a >>> 16 === 0xc0a8 || a >>> 16 === 0xa9fe || a >>> 22 === 0x191;
}

/** The direction between two scopes: public → private is inbound, private → public outbound. */
export function directionOf(src: Scope | null, dst: Scope | null): Direction | null {
  if (src === null || dst === null) return null;
  if (src === 'public') return dst === 'private' ? 'inbound' : 'external';
  return dst === 'private' ? 'internal' : 'outbound';
}

/** Where a flow goes, for the alert. */
export interface FlowContext {
  readonly src_scope: Scope | null;
  readonly dst_scope: Scope | null;
  readonly direction: Direction | null;
  readonly service: string | null;
}

/** The addresses and port of a record that decide where it goes. */
export interface FlowEndpoints {
  readonly src_ip: string | null;
  readonly dst_ip: string | null;
  /** Packet-level addresses (`pkt-srcaddr`, `pkt-dstaddr`): the real endpoints behind NAT and load balancers. */
  readonly pkt_src_ip?: string | number | null;
  readonly pkt_dst_ip?: string | number | null;
  readonly protocol_number: number | null;
  readonly dst_port: number | null;
}

/**
 * Scopes, direction and service of a flow. The endpoints are the packet-level addresses when the
 * record carries them (a NAT gateway's or load balancer's interface logs its own address in
 * srcaddr/dstaddr, the original one in pkt-srcaddr/pkt-dstaddr), else srcaddr and dstaddr.
 */
export function flowContext(record: FlowEndpoints, internal: readonly Cidr[] = []): FlowContext {
  const src = typeof record.pkt_src_ip === 'string' ? record.pkt_src_ip : record.src_ip;
  const dst = typeof record.pkt_dst_ip === 'string' ? record.pkt_dst_ip : record.dst_ip;
  const srcScope = scopeOf(src, internal);
  const dstScope = scopeOf(dst, internal);
  return { src_scope: srcScope, dst_scope: dstScope, direction: directionOf(srcScope, dstScope), service: serviceOf(record.protocol_number, record.dst_port) };
}

/** IANA service names of the destination ports that matter most in rejected traffic (TCP and UDP). */
export const SERVICES: Readonly<Record<number, string>> = {
  20: 'ftp-data', 21: 'ftp', 22: 'ssh', 23: 'telnet', 25: 'smtp', 53: 'domain', 67: 'dhcp', 69: 'tftp', 80: 'http', 88: 'kerberos',
  110: 'pop3', 111: 'sunrpc', 123: 'ntp', 135: 'msrpc', 137: 'netbios-ns', 138: 'netbios-dgm', 139: 'netbios-ssn', 143: 'imap',
  161: 'snmp', 389: 'ldap', 443: 'https', 445: 'smb', 465: 'smtps', 500: 'isakmp', 514: 'syslog', 587: 'submission', 636: 'ldaps',
  873: 'rsync', 993: 'imaps', 995: 'pop3s', 1080: 'socks', 1433: 'mssql', 1521: 'oracle', 1723: 'pptp', 1883: 'mqtt', 2049: 'nfs',
  2375: 'docker', 2376: 'docker-tls', 2379: 'etcd', 3306: 'mysql', 3389: 'rdp', 4443: 'https-alt', 5060: 'sip', 5432: 'postgresql',
  5601: 'kibana', 5672: 'amqp', 5900: 'vnc', 5985: 'winrm', 5986: 'winrm-https', 6379: 'redis', 6443: 'kubernetes-api',
  7001: 'weblogic', 8080: 'http-alt', 8443: 'https-alt', 9000: 'http-alt', 9092: 'kafka', 9200: 'elasticsearch', 9300: 'elasticsearch-transport',
  10250: 'kubelet', 11211: 'memcached', 27017: 'mongodb',
};

/** The service name of a TCP (6) or UDP (17) destination port; `null` for other protocols and unnamed ports. */
export function serviceOf(protocolNumber: number | null, dstPort: number | null): string | null {
  if ((protocolNumber !== 6 && protocolNumber !== 17) || dstPort === null) return null;
  return SERVICES[dstPort] ?? null;
}
