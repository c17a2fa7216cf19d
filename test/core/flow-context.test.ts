import fc from 'fast-check';
import { directionOf, flowContext, scopeOf, serviceOf } from '../../lambda/core/flow-context';
import { cidrContains, parseCidr, parseIp } from '../../lambda/core/ip-address';
import { compileFormat } from '../../lambda/core/log-format';
import { messageToAlert } from '../../lambda/core/normalize';
import type { SeverityPolicy } from '../../lambda/core/severity';
import { ADMIN_AND_DATABASE_PORTS, parseSeverityRules, severityOf } from '../../lambda/core/severity';
import { expectValidAlert } from '../helpers/alert-schema';

const ip4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

describe('address scope', () => {
  it.each([
    ['10.0.0.1', 'private'], ['10.255.255.255', 'private'], ['11.0.0.1', 'public'],
    ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['172.32.0.1', 'public'], ['172.15.255.255', 'public'],
    ['192.168.1.1', 'private'], ['192.169.0.1', 'public'],
    ['100.64.0.1', 'private'], ['100.127.255.255', 'private'], ['100.128.0.1', 'public'],
    ['127.0.0.1', 'private'], ['169.254.169.254', 'private'], ['8.8.8.8', 'public'],
    ['::1', 'private'], ['fd00::1', 'private'], ['fc00::', 'private'], ['fe80::1', 'private'], ['fec0::1', 'public'],
    ['2001:db8::1', 'public'], ['::ffff:10.1.2.3', 'private'], ['::ffff:8.8.8.8', 'public'],
  ] as const)('%s is %s', (ip, scope) => {
    expect(scopeOf(ip)).toBe(scope);
  });

  it('is null for a missing or malformed address', () => {
    for (const bad of [null, '', '-', '256.1.1.1', '01.2.3.4', '1.2.3', 'fe80::1::2', 'not-an-ip', `1:${'2:'.repeat(8)}3`]) expect(scopeOf(bad)).toBeNull();
  });

  it('agrees with a direct range check for every IPv4 address (RFC 1918, 6598, loopback, link-local)', () => {
    const ranges: Array<[number, number]> = [[0x0a000000, 8], [0xac100000, 12], [0xc0a80000, 16], [0x64400000, 10], [0x7f000000, 8], [0xa9fe0000, 16]];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const inside = ranges.some(([base, prefix]) => n >>> (32 - prefix) === base >>> (32 - prefix));
        expect(scopeOf(ip4(n))).toBe(inside ? 'private' : 'public');
      }),
      { numRuns: 5000 },
    );
  });

  it('counts the internalCidrs as private, in either family', () => {
    const internal = ['203.0.113.0/24', '2001:db8:abcd::/48'].map((t) => parseCidr(t)).filter((c) => typeof c !== 'string');
    expect(scopeOf('203.0.113.77', internal)).toBe('private');
    expect(scopeOf('203.0.114.1', internal)).toBe('public');
    expect(scopeOf('2001:db8:abcd:1::9', internal)).toBe('private');
    expect(scopeOf('2001:db8:abce::9', internal)).toBe('public');
  });

  it('accepts a dotted IPv4 tail only at the end of an IPv6 address', () => {
    for (const bad of ['1.2.3.4::', '1.2.3.4::5', '::1.2.3.4:5']) expect(parseIp(bad)).toBeUndefined();
    expect(parseCidr('1.2.3.4::/16')).toBe('"1.2.3.4::" is not an IPv4 or IPv6 address');
    expect(parseIp('::1.2.3.4')).toMatchObject({ family: 6 });
    expect(parseIp('64:ff9b::1.2.3.4')).toMatchObject({ family: 6 });
  });

  it('reads IPv4-mapped addresses and blocks as IPv4, for scopes and rules alike', () => {
    expect(parseIp('::ffff:10.0.0.1')).toEqual(parseIp('10.0.0.1'));
    const mapped = parseCidr('::ffff:8.8.0.0/112');
    expect(mapped).toMatchObject({ family: 4, prefix: 16 });
    expect(scopeOf('::ffff:8.8.8.8', [mapped as Exclude<typeof mapped, string>])).toBe('private');
    const rules = parseSeverityRules(JSON.stringify([{ dst_cidrs: ['10.0.0.0/8'], severity: 'info' }]));
    const facts = { action: 'REJECT', log_status: 'OK', direction: 'internal' as const, src_scope: 'private' as const, dst_scope: 'private' as const, protocol: 'tcp', dst_port: 22, src_ip: '10.1.1.1', dst_ip: '::ffff:10.0.0.1' };
    expect(severityOf(facts, { profile: 'exposure', rules: rules as Exclude<typeof rules, string[]> })).toBe('info');
  });

  it('parses CIDR blocks and says why one is not', () => {
    expect(parseCidr('10.0.0.0/33')).toBe('"/33" is not a prefix length from 0 to 32');
    expect(parseCidr('10.0.0.0')).toBe('"10.0.0.0" has no /prefix');
    expect(parseCidr('10.0.0/8')).toBe('"10.0.0" is not an IPv4 or IPv6 address');
    const any = parseCidr('0.0.0.0/0');
    expect(typeof any !== 'string' && cidrContains(any, parseIp('1.2.3.4')!)).toBe(true);
  });
});

describe('direction and service', () => {
  it('reads the direction from the scopes', () => {
    expect(directionOf('public', 'private')).toBe('inbound');
    expect(directionOf('private', 'public')).toBe('outbound');
    expect(directionOf('private', 'private')).toBe('internal');
    expect(directionOf('public', 'public')).toBe('external');
    expect(directionOf(null, 'private')).toBeNull();
  });

  it('takes the packet-level addresses as the endpoints when the record has them', () => {
    // A NAT gateway's interface: srcaddr is its own private address, pkt-srcaddr the instance's.
    expect(flowContext({ src_ip: '10.0.1.5', dst_ip: '10.0.0.9', pkt_src_ip: '10.0.1.5', pkt_dst_ip: '52.1.2.3', protocol_number: 6, dst_port: 443 })).toEqual({
      src_scope: 'private', dst_scope: 'public', direction: 'outbound', service: 'https',
    });
    expect(flowContext({ src_ip: '198.51.100.7', dst_ip: '10.0.0.9', pkt_src_ip: null, protocol_number: 6, dst_port: 22 }).direction).toBe('inbound');
  });

  it('names TCP and UDP destination ports only', () => {
    expect(serviceOf(6, 22)).toBe('ssh');
    expect(serviceOf(17, 53)).toBe('domain');
    expect(serviceOf(6, 3389)).toBe('rdp');
    expect(serviceOf(1, 22)).toBeNull();
    expect(serviceOf(6, 40000)).toBeNull();
    expect(serviceOf(6, null)).toBeNull();
  });

  it('lands on every alert, within the contract', () => {
    const alert = messageToAlert('2 123456789012 eni-1 198.51.100.7 10.0.0.5 40000 3306 6 1 40 1700000000 1700000060 REJECT OK', compileFormat());
    expect(alert).toMatchObject({ src_scope: 'public', dst_scope: 'private', direction: 'inbound', service: 'mysql' });
    expectValidAlert(JSON.parse(JSON.stringify(alert)));
    expect(messageToAlert('garbage', compileFormat())).toMatchObject({ src_scope: null, dst_scope: null, direction: null, service: null });
  });
});

describe('the exposure profile', () => {
  const exposure: SeverityPolicy = { profile: 'exposure', rules: [] };
  const line = (src: string, dst: string, port: number, action = 'REJECT') => `2 123456789012 eni-1 ${src} ${dst} 40000 ${port} 6 1 40 1700000000 1700000060 ${action} OK`;
  const severity = (text: string) => messageToAlert(text, compileFormat(), {}, { internalCidrs: [], severity: exposure })?.severity;

  it.each([
    ['an internet probe of a web port', line('198.51.100.7', '10.0.0.5', 443), 'low'],
    ['an internet probe of port 80', line('198.51.100.7', '10.0.0.5', 80), 'low'],
    ['an internet probe of SSH', line('198.51.100.7', '10.0.0.5', 22), 'medium'],
    ['an internal probe', line('10.0.0.7', '10.0.1.5', 445), 'high'],
    ['blocked egress', line('10.0.0.7', '203.0.113.9', 443), 'high'],
    ['public to public', line('198.51.100.7', '203.0.113.9', 22), 'medium'],
    ['an accepted flow', line('198.51.100.7', '10.0.0.5', 22, 'ACCEPT'), 'low'],
    ['no data', '2 123456789012 eni-1 - - - - - - - 1700000000 1700000060 - NODATA', 'info'],
  ])('%s is %s', (_name, text, expected) => {
    expect(severity(text)).toBe(expected);
  });

  it('ranks every administrative and database port of the documented list medium from the internet', () => {
    for (const port of [22, 23, 445, 1433, 3306, 3389, 5432, 5900, 6379, 9200, 27017]) expect(ADMIN_AND_DATABASE_PORTS).toContain(port);
    for (const port of ADMIN_AND_DATABASE_PORTS) expect(severity(line('198.51.100.7', '10.0.0.5', port))).toBe('medium');
    expect(ADMIN_AND_DATABASE_PORTS).not.toContain(80);
    expect(ADMIN_AND_DATABASE_PORTS).not.toContain(443);
  });
});

describe('severity rules (severityRules)', () => {
  it('reads first-match rules on every field and applies them before the profile', () => {
    const rules = parseSeverityRules(JSON.stringify([
      { src_cidrs: ['192.0.2.0/24'], severity: 'info' },
      { direction: ['inbound'], protocol: ['tcp'], dst_ports: [[8000, 8100]], severity: 'high' },
      { dst_scope: ['public'], dst_cidrs: ['203.0.113.0/24'], action: ['REJECT'], log_status: ['OK'], severity: 'low' },
    ]));
    expect(Array.isArray(rules) && typeof rules[0] === 'object').toBe(true);
    const policy: SeverityPolicy = { profile: 'exposure', rules: rules as Exclude<typeof rules, string[]> };
    const facts = { action: 'REJECT', log_status: 'OK', direction: 'inbound' as const, src_scope: 'public' as const, dst_scope: 'private' as const, protocol: 'tcp', dst_port: 8080, src_ip: '198.51.100.7', dst_ip: '10.0.0.5' };
    expect(severityOf(facts, policy)).toBe('high');
    expect(severityOf({ ...facts, src_ip: '192.0.2.9' }, policy)).toBe('info');
    expect(severityOf({ ...facts, dst_port: 8101 }, policy)).toBe('low');
    expect(severityOf({ ...facts, direction: 'outbound', src_scope: 'private', dst_scope: 'public', dst_ip: '203.0.113.5' }, policy)).toBe('low');
  });

  it('refuses values no record holds, which would never match', () => {
    expect(parseSeverityRules(JSON.stringify([{ action: ['reject'], protocol: ['TCP'], log_status: ['ok'], severity: 'info' }]))).toEqual([
      'rule 0: "action" must be a non-empty array of "ACCEPT", "REJECT"',
      'rule 0: "log_status" must be a non-empty array of "OK", "NODATA", "SKIPDATA"',
      'rule 0: "protocol" must be a non-empty array of IANA protocol keywords in lower case ("tcp", "udp", "icmp", ...)',
    ]);
  });

  it('names the rule and the field of every problem', () => {
    expect(parseSeverityRules('{')).toEqual([expect.stringMatching(/^is not JSON/)]);
    expect(parseSeverityRules('{}')).toEqual(['must be a JSON array of rules']);
    expect(parseSeverityRules(JSON.stringify([
      { direction: ['sideways'], severity: 'urgent', dst_ports: [70000], src_cidrs: ['10.0.0.0/40'], colour: 'red' },
    ]))).toEqual([
      'rule 0: "colour" is not a rule field (action, log_status, direction, src_scope, dst_scope, protocol, dst_ports, src_cidrs, dst_cidrs, severity)',
      'rule 0: "severity" must be one of "info", "low", "medium", "high"',
      'rule 0: "dst_ports" must be a non-empty array of ports (0-65535) or [from, to] ranges',
      'rule 0: "direction" must be a non-empty array of "inbound", "outbound", "internal", "external"',
      'rule 0: "src_cidrs" holds "/40" is not a prefix length from 0 to 32',
    ]);
  });
});
