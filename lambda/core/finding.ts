import { createHash } from 'node:crypto';
import type { Scope } from './flow-context';
import type { Cidr } from './ip-address';
import type { Severity } from './severity';

/** What the detectors report (docs/alert-contract.md, "Findings"). */
export const FINDING_TYPES = ['port_scan', 'host_sweep', 'lateral_blocked', 'egress_blocked', 'inbound_summary'] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

/**
 * What reaches the queue. `flows`: every flow alert, no findings. `findings`: findings, plus flow
 * alerts of severity `high` (and the records no finding can hold); the other flows are counted.
 * `both`: everything.
 */
export const ALERT_MODES = ['flows', 'findings', 'both'] as const;
export type AlertMode = (typeof ALERT_MODES)[number];

/** How the detectors run. */
export interface FindingSettings {
  readonly alertMode: AlertMode;
  /** Distinct destination ports one source must be rejected on, by one destination, for a `port_scan`. */
  readonly scanPortThreshold: number;
  /** Distinct destination addresses one source must be rejected by for a `host_sweep`. */
  readonly sweepHostThreshold: number;
  /** Window length (ms); windows are aligned to the epoch. */
  readonly windowMs: number;
  /** Sources that never count toward findings (and, in `findings` mode, are not sent). */
  readonly allowlist: readonly Cidr[];
}

/** `flows` mode: the detectors are off. */
export const DEFAULT_FINDING_SETTINGS: FindingSettings = { alertMode: 'flows', scanPortThreshold: 10, sweepHostThreshold: 10, windowMs: 3_600_000, allowlist: [] };

/** At most this many ports, hosts, sources in a finding's samples and rankings. */
export const SAMPLE_SIZE = 20;
export const TOP_SIZE = 5;

/** One alert for something the detectors saw across many flows (`category: "finding"`). */
export interface FindingAlert {
  /** The native contract's version, as on flow alerts. */
  schema_version: string;
  source: 'aws_vpc_flow';
  category: 'finding';
  finding_type: FindingType;
  severity: Severity;
  /** A pure function of type, log group, subject and window: the same finding always has the same id. */
  alert_id: string;
  /** One sentence for a person. */
  title: string;
  /** `first_seen`, as on flow alerts. */
  timestamp: string;
  first_seen: string;
  last_seen: string;
  window_start: string;
  window_end: string;
  log_group: string | null;
  /** The source (`null` for `inbound_summary`). */
  src_ip: string | null;
  src_scope: Scope | null;
  /** The one destination (`port_scan`, or a summary of a destination with no interface id). */
  dst_ip: string | null;
  /** The destination interface (ENI) when there is one. */
  cloud_resource: string | null;
  flow_count: number;
  distinct_ports: number;
  distinct_hosts: number;
  distinct_sources: number;
  /** False when a count went past what is kept exactly (64) and is an estimate (±13 %). */
  counts_exact: boolean;
  /** Smallest destination ports seen (at most 20), and the destination addresses (at most 20). */
  sample_ports: number[];
  sample_hosts: string[];
  /** `inbound_summary`: the sources with most flows, and the ports most sources tried (at most 5 each). */
  top_sources: Array<{ ip: string; flow_count: number }>;
  top_ports: Array<{ port: number; service: string | null; sources: number }>;
  /** `alert_id`s of up to 10 of the flows behind the finding. */
  evidence: string[];
}

/**
 * The id of a finding: `finding-` and 40 hex digits of SHA-256 over type, log group, subject and
 * window (start and length). Nothing else goes in, so re-reads and redeliveries repeat it.
 */
export function findingId(type: FindingType, logGroup: string, subject: string, windowStart: number, windowMs: number): string {
  return `finding-${createHash('sha256').update(`${type}\n${logGroup}\n${subject}\n${windowStart}\n${windowMs}`).digest('hex').slice(0, 40)}`;
}
