import type { Direction, Scope } from './flow-context';
import { DIRECTIONS, SCOPES } from './flow-context';
import type { Cidr } from './ip-address';
import { cidrContains, parseCidr, parseIp } from './ip-address';
import { PROTOCOL_KEYWORDS } from './protocols';

/** Alert severities, lowest first. */
export const SEVERITIES = ['info', 'low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Built-in severity profiles (the `severityProfile` setting). */
export const SEVERITY_PROFILES = ['seed', 'exposure'] as const;
export type SeverityProfile = (typeof SEVERITY_PROFILES)[number];

/** What a severity rule can look at. */
export interface FlowFacts {
  readonly action: string | null;
  readonly log_status: string | null;
  readonly direction: Direction | null;
  readonly src_scope: Scope | null;
  readonly dst_scope: Scope | null;
  /** IANA keyword (`tcp`), or null. */
  readonly protocol: string | null;
  readonly dst_port: number | null;
  /** The endpoints (packet-level addresses when logged). */
  readonly src_ip: string | null;
  readonly dst_ip: string | null;
}

/** One first-match rule: every condition given must hold; absent conditions match anything. */
export interface SeverityRule {
  readonly action?: readonly string[];
  readonly log_status?: readonly string[];
  readonly direction?: readonly Direction[];
  readonly src_scope?: readonly Scope[];
  readonly dst_scope?: readonly Scope[];
  readonly protocol?: readonly string[];
  /** Ports or inclusive ranges `[from, to]`. */
  readonly dst_ports?: ReadonlyArray<number | readonly [number, number]>;
  readonly src_cidrs?: readonly Cidr[];
  readonly dst_cidrs?: readonly Cidr[];
  readonly severity: Severity;
}

/**
 * Administrative and database ports: a rejected probe of one from the internet is `medium` in the
 * `exposure` profile, while other internet background noise is `low`. Web ports (80, 443) are not here.
 */
export const ADMIN_AND_DATABASE_PORTS: readonly number[] = [
  22, 23, 135, 139, 445, 1433, 1521, 2375, 2376, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 9200, 9300, 11211, 27017,
];

const CAPTURE_STATUS: SeverityRule = { log_status: ['NODATA', 'SKIPDATA'], severity: 'info' };

/**
 * The profiles' rules, in order. `seed` is the original behaviour. `exposure` ranks by where the
 * flow goes: blocked traffic between private addresses (lateral movement) and from private to public
 * addresses (malware calling home, exfiltration) is `high`; inbound internet probes are `low`, but
 * `medium` on administrative and database ports. Log status comes first in both: a NODATA or
 * SKIPDATA record reports on the capture itself, not on a connection.
 */
export const PROFILE_RULES: Readonly<Record<SeverityProfile, readonly SeverityRule[]>> = {
  seed: [
    CAPTURE_STATUS,
    { action: ['REJECT'], severity: 'medium' },
    { action: ['ACCEPT'], severity: 'low' },
  ],
  exposure: [
    CAPTURE_STATUS,
    { action: ['REJECT'], direction: ['internal'], severity: 'high' },
    { action: ['REJECT'], direction: ['outbound'], severity: 'high' },
    { action: ['REJECT'], direction: ['inbound'], dst_ports: ADMIN_AND_DATABASE_PORTS, severity: 'medium' },
    { action: ['REJECT'], direction: ['inbound'], severity: 'low' },
    { action: ['REJECT'], severity: 'medium' },
    { action: ['ACCEPT'], severity: 'low' },
  ],
};

/** Severity of anything no rule matches: unparsed and passthrough records. */
export const DEFAULT_SEVERITY: Severity = 'low';

/** How severity is decided: the user's rules first, then the profile's. */
export interface SeverityPolicy {
  readonly profile: SeverityProfile;
  readonly rules: readonly SeverityRule[];
}

export const DEFAULT_SEVERITY_POLICY: SeverityPolicy = { profile: 'seed', rules: [] };

/** The severity of a flow: the first matching rule of the policy's rules, then of its profile. */
export function severityOf(facts: FlowFacts, policy: SeverityPolicy = DEFAULT_SEVERITY_POLICY): Severity {
  for (const rule of policy.rules) if (matches(rule, facts)) return rule.severity;
  for (const rule of PROFILE_RULES[policy.profile]) if (matches(rule, facts)) return rule.severity;
  return DEFAULT_SEVERITY;
}

function among<T>(allowed: readonly T[] | undefined, value: T | null): boolean {
  return allowed === undefined || (value !== null && allowed.includes(value));
}

function matches(rule: SeverityRule, f: FlowFacts): boolean {
  if (!among(rule.action, f.action) || !among(rule.log_status, f.log_status) || !among(rule.direction, f.direction)) return false;
  if (!among(rule.src_scope, f.src_scope) || !among(rule.dst_scope, f.dst_scope) || !among(rule.protocol, f.protocol)) return false;
  if (rule.dst_ports !== undefined) {
    const port = f.dst_port;
    if (port === null || !rule.dst_ports.some((p) => (typeof p === 'number' ? p === port : port >= p[0] && port <= p[1]))) return false;
  }
  return inCidrs(rule.src_cidrs, f.src_ip) && inCidrs(rule.dst_cidrs, f.dst_ip);
}

function inCidrs(ranges: readonly Cidr[] | undefined, ip: string | null): boolean {
  if (ranges === undefined) return true;
  const address = ip === null ? undefined : parseIp(ip);
  return address !== undefined && ranges.some((r) => cidrContains(r, address));
}

const RULE_FIELDS = ['action', 'log_status', 'direction', 'src_scope', 'dst_scope', 'protocol', 'dst_ports', 'src_cidrs', 'dst_cidrs', 'severity'] as const;

/**
 * Reads the `severityRules` setting: a JSON array of rules such as
 * `{"direction": ["inbound"], "dst_ports": [22, [8000, 8100]], "severity": "high"}`. Returns the rules,
 * or the problems, each naming the rule (by index) and the field.
 */
export function parseSeverityRules(json: string): SeverityRule[] | string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return [`is not JSON (${(error as Error).message})`];
  }
  if (!Array.isArray(parsed)) return ['must be a JSON array of rules'];
  const problems: string[] = [];
  const rules: SeverityRule[] = [];
  parsed.forEach((item: unknown, index) => {
    const at = (field: string, message: string): void => {
      problems.push(`rule ${index}: "${field}" ${message}`);
    };
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`rule ${index} must be an object`);
      return;
    }
    const raw = item as Record<string, unknown>;
    for (const key of Object.keys(raw)) if (!(RULE_FIELDS as readonly string[]).includes(key)) at(key, `is not a rule field (${RULE_FIELDS.join(', ')})`);
    const words = <T extends string>(field: string, allowed?: readonly T[]): T[] | undefined => {
      const value = raw[field];
      if (value === undefined) return undefined;
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && (allowed === undefined || (allowed as readonly string[]).includes(v)))) {
        const shown = allowed === undefined ? 'strings' : allowed.length > 8 ? `IANA protocol keywords in lower case ("tcp", "udp", "icmp", ...)` : allowed.map((a) => `"${a}"`).join(', ');
        at(field, `must be a non-empty array of ${shown}`);
        return undefined;
      }
      return value as T[];
    };
    const blocks = (field: string): Cidr[] | undefined => {
      const value = raw[field];
      if (value === undefined) return undefined;
      if (!Array.isArray(value) || value.length === 0) {
        at(field, 'must be a non-empty array of CIDR blocks ("10.0.0.0/8")');
        return undefined;
      }
      const out: Cidr[] = [];
      for (const text of value) {
        const cidr = typeof text === 'string' ? parseCidr(text) : `${JSON.stringify(text)} is not a string`;
        if (typeof cidr === 'string') at(field, `holds ${cidr}`);
        else out.push(cidr);
      }
      return out;
    };
    const severity = raw['severity'];
    if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity)) at('severity', `must be one of ${SEVERITIES.map((s) => `"${s}"`).join(', ')}`);
    let ports: Array<number | [number, number]> | undefined;
    if (raw['dst_ports'] !== undefined) {
      const value = raw['dst_ports'];
      const isPort = (p: unknown): p is number => Number.isInteger(p) && (p as number) >= 0 && (p as number) <= 65_535;
      if (!Array.isArray(value) || value.length === 0 || !value.every((p) => isPort(p) || (Array.isArray(p) && p.length === 2 && isPort(p[0]) && isPort(p[1]) && p[0] <= p[1]))) {
        at('dst_ports', 'must be a non-empty array of ports (0-65535) or [from, to] ranges');
      } else {
        ports = value as Array<number | [number, number]>;
      }
    }
    // Only values records can hold: a rule on "reject" or "TCP" would never match anything.
    const rule = {
      action: words('action', ['ACCEPT', 'REJECT'] as const), log_status: words('log_status', ['OK', 'NODATA', 'SKIPDATA'] as const),
      direction: words('direction', DIRECTIONS), src_scope: words('src_scope', SCOPES), dst_scope: words('dst_scope', SCOPES),
      protocol: words('protocol', PROTOCOL_KEYWORDS),
      dst_ports: ports, src_cidrs: blocks('src_cidrs'), dst_cidrs: blocks('dst_cidrs'), severity: severity as Severity,
    };
    rules.push(Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as unknown as SeverityRule);
  });
  return problems.length > 0 ? problems : rules;
}
