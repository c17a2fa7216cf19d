import type { Alert } from './alert';
import { OCSF_VERSION } from './contract-version';
import type { FindingAlert } from './finding';
import { FLOW_FIELDS } from './flow-fields';
import { parseIp } from './ip-address';
import type { Severity } from './severity';

/**
 * The OCSF 1.1.0 form of alerts (docs/ocsf.md): a flow alert is a Network Activity event (class
 * 4001) following AWS's published mapping of VPC flow logs (Amazon Security Lake), a finding is a
 * Detection Finding (class 2004). Flow-log fields with no OCSF attribute, and this product's own
 * additions, go to `unmapped`. Pure: the same alert always gives the same event.
 */

/** An OCSF event, as JSON. */
export type OcsfEvent = Record<string, unknown>;

const SEVERITY_IDS: Readonly<Record<Severity, readonly [number, string]>> = {
  info: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
};

/** Network Activity activities by flow-log action (AWS's mapping); anything else is 0 Unknown. */
const ACTIVITIES: Readonly<Record<string, readonly [number, string]>> = { ACCEPT: [6, 'Traffic'], REJECT: [5, 'Refuse'] };
const ACTIONS: Readonly<Record<string, readonly [number, string]>> = { ACCEPT: [1, 'Allowed'], REJECT: [2, 'Denied'] };
const DISPOSITIONS: Readonly<Record<string, readonly [number, string]>> = { ACCEPT: [1, 'Allowed'], REJECT: [2, 'Blocked'] };
const DIRECTIONS: Readonly<Record<string, readonly [number, string]>> = { ingress: [1, 'Inbound'], egress: [2, 'Outbound'] };
/** `traffic-path` 1-8 → `boundary_id` 4-11, with OCSF's captions. */
const BOUNDARIES: Readonly<Record<number, string>> = {
  4: 'Same VPC', 5: 'Internet/VPC Gateway', 6: 'Virtual Private Gateway', 7: 'Intra-region VPC',
  8: 'Inter-region VPC', 9: 'Local Gateway', 10: 'Gateway VPC', 11: 'Internet Gateway',
};
/** OCSF strings hold at most this many characters (`string_t` max_len). */
const MAX_STRING = 65_535;
/** Epoch values at or above this are milliseconds (as the native `timestamp` reads them). */
const MILLISECONDS_THRESHOLD = 100_000_000_000;

/** Alert properties the mapping places on OCSF attributes (the rest of the flow-log fields go to `unmapped`). */
const MAPPED = new Set([
  'action', 'log_status', 'src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol_number', 'protocol', 'packets', 'bytes', 'start', 'end',
  'aws_account_id', 'cloud_resource', 'vpc_id', 'subnet_id', 'instance_id', 'tcp_flags', 'traffic_type', 'pkt_src_ip', 'pkt_dst_ip',
  'region', 'az_id', 'pkt_src_aws_service', 'pkt_dst_aws_service', 'flow_direction', 'traffic_path',
]);
/** Flow-log field names by alert property, for `unmapped` (AWS's own spelling: `reject-reason`). */
const FIELD_NAMES: ReadonlyMap<string, string> = new Map(FLOW_FIELDS.map((f) => [f.alert, f.name]));

/** The OCSF Network Activity event of a flow alert (unparsed and truncated ones too: nothing is dropped). */
export function toOcsfNetworkActivity(alert: Alert): OcsfEvent {
  const a = alert as unknown as Record<string, unknown>;
  const action = alert.action ?? '';
  const [activityId, activityName] = ACTIVITIES[action] ?? [0, 'Unknown'];
  const [severityId, severityName] = SEVERITY_IDS[alert.severity];
  const unmapped: Record<string, unknown> = {};
  const src = endpoint(alert.src_ip, a['pkt_src_ip'], alert.src_port, a['pkt_src_aws_service'], 'src', unmapped);
  const dst = endpoint(alert.dst_ip, a['pkt_dst_ip'], alert.dst_port, a['pkt_dst_aws_service'], 'dst', unmapped);
  // The interface's own details go on the endpoint it is: the destination of ingress traffic, the
  // source of egress (AWS's mapping). Without `flow-direction`, the direction between the endpoints
  // decides: the source when outbound, else the destination (the common case: a REJECT is inbound).
  const onSource = a['flow_direction'] === 'egress' || (a['flow_direction'] !== 'ingress' && alert.direction === 'outbound');
  Object.assign(onSource ? src : dst, defined({
    interface_uid: alert.cloud_resource, vpc_uid: a['vpc_id'], subnet_uid: a['subnet_id'], instance_uid: a['instance_id'],
  }));
  const [directionId, directionName] = DIRECTIONS[String(a['flow_direction'])] ?? [0, 'Unknown'];
  const path = a['traffic_path'];
  const boundaryId = typeof path === 'number' && path >= 1 && path <= 8 ? path + 3 : undefined;
  const start = epochMs(alert.start);
  const end = epochMs(alert.end);
  const time = start ?? timeOf(alert.timestamp) ?? timeOf(alert.raw_event.event_time) ?? 0;
  for (const [key, value] of Object.entries(a)) {
    if (key in CORE_PROPERTIES || MAPPED.has(key) || value === null || value === undefined) continue;
    const name = FIELD_NAMES.get(key);
    if (name !== undefined) unmapped[name] = value;
  }
  unmapped['vpc_flow_alerts'] = defined({
    direction: alert.direction, src_scope: alert.src_scope, dst_scope: alert.dst_scope, service: alert.service,
    record_format: alert.raw_event.record_format, log_stream: alert.raw_event.log_stream, event_id: alert.raw_event.event_id,
    tcp_flag_names: alert.tcp_flag_names, truncated: alert.raw_event.truncated, truncation_reason: alert.raw_event.truncation_reason,
    original_bytes: alert.raw_event.original_bytes, extra: alert.extra,
    raw_data_cut: alert.raw_event.message.length > MAX_STRING ? true : undefined,
  });
  // A mapped field whose value OCSF has no place for keeps it in `unmapped`, under its AWS name.
  if (alert.action !== null && ACTIVITIES[action] === undefined) unmapped['action'] = alert.action;
  if (a['flow_direction'] !== null && a['flow_direction'] !== undefined && directionId === 0) unmapped['flow-direction'] = a['flow_direction'];
  if (path !== null && path !== undefined && boundaryId === undefined) unmapped['traffic-path'] = path;
  const unparsed = alert.raw_event.record_format === 'unparsed';
  return capStrings({
    class_uid: 4001,
    class_name: 'Network Activity',
    category_uid: 4,
    category_name: 'Network Activity',
    activity_id: activityId,
    activity_name: activityName,
    type_uid: 400_100 + activityId,
    type_name: `Network Activity: ${activityName}`,
    severity_id: severityId,
    severity: severityName,
    action_id: (ACTIONS[action] ?? [0])[0],
    action: (ACTIONS[action] ?? [0, 'Unknown'])[1],
    disposition_id: (DISPOSITIONS[action] ?? [0])[0],
    disposition: (DISPOSITIONS[action] ?? [0, 'Unknown'])[1],
    message: summary(alert),
    time,
    start_time: start,
    end_time: end,
    status_code: alert.log_status ?? undefined,
    status_detail: unparsed ? (alert.raw_event.parse_error ?? 'the record could not be parsed') : undefined,
    // OCSF requires both endpoints, each naming something: one the record does not name (NODATA,
    // unparsed, a free-text address) gets `"name": "unknown"`.
    src_endpoint: named(src),
    dst_endpoint: named(dst),
    connection_info: defined({
      protocol_num: alert.protocol_number,
      protocol_name: alert.protocol,
      tcp_flags: a['tcp_flags'],
      protocol_ver: a['traffic_type'],
      direction_id: directionId,
      direction: directionName,
      boundary_id: boundaryId,
      boundary: boundaryId === undefined ? undefined : BOUNDARIES[boundaryId],
    }),
    traffic: nonEmpty(defined({ bytes: alert.bytes, packets: alert.packets })),
    cloud: defined({
      provider: 'AWS',
      account: alert.aws_account_id === null ? undefined : { uid: alert.aws_account_id },
      region: a['region'],
      zone: a['az_id'],
    }),
    metadata: defined({
      version: OCSF_VERSION,
      uid: alert.alert_id,
      product: { name: 'Amazon VPC', vendor_name: 'AWS', feature: { name: 'Flowlogs' } },
      profiles: ['cloud', 'security_control', 'datetime'],
      log_name: alert.raw_event.log_group,
      logged_time: timeOf(alert.raw_event.ingestion_time),
    }),
    raw_data: alert.raw_event.message,
    unmapped,
  });
}

/** The OCSF Detection Finding of a finding: what was seen, by whom, against what, and the flows behind it. */
export function toOcsfFinding(finding: FindingAlert): OcsfEvent {
  const [severityId, severityName] = SEVERITY_IDS[finding.severity];
  const first = timeOf(finding.first_seen);
  const last = timeOf(finding.last_seen);
  const windowStart = timeOf(finding.window_start);
  const windowEnd = timeOf(finding.window_end);
  const src = finding.src_ip === null ? undefined : { ip: finding.src_ip };
  const dst = nonEmpty(defined({ ip: finding.dst_ip ?? undefined, interface_uid: finding.cloud_resource ?? undefined }));
  return capStrings({
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200_401,
    type_name: 'Detection Finding: Create',
    severity_id: severityId,
    severity: severityName,
    message: finding.title,
    time: windowEnd ?? last ?? 0,
    start_time: windowStart,
    end_time: windowEnd,
    status_id: 1,
    status: 'New',
    finding_info: defined({
      uid: finding.alert_id,
      title: finding.title,
      types: [finding.finding_type],
      first_seen_time: first,
      last_seen_time: last,
      data_sources: ['Amazon VPC Flow Logs'],
    }),
    // The flows behind the finding: their alert_ids are those flows' `metadata.uid`.
    evidences: [defined({ src_endpoint: src, dst_endpoint: dst, data: { alert_ids: finding.evidence } })],
    metadata: {
      version: OCSF_VERSION,
      uid: finding.alert_id,
      product: { name: 'vpc-flow-alerts', vendor_name: 'vpc-flow-alerts', feature: { name: 'Findings' } },
      profiles: [],
      ...(finding.log_group !== null && { log_name: finding.log_group }),
    },
    unmapped: {
      vpc_flow_alerts: {
        finding_type: finding.finding_type, src_ip: finding.src_ip, src_scope: finding.src_scope, dst_ip: finding.dst_ip, cloud_resource: finding.cloud_resource,
        flow_count: finding.flow_count, distinct_ports: finding.distinct_ports, distinct_hosts: finding.distinct_hosts, distinct_sources: finding.distinct_sources,
        counts_exact: finding.counts_exact, sample_ports: finding.sample_ports, sample_hosts: finding.sample_hosts, top_sources: finding.top_sources, top_ports: finding.top_ports,
        window_start: finding.window_start, window_end: finding.window_end,
      },
    },
  });
}

/** Core alert properties the mapping reads by name (never copied to `unmapped` as flow-log fields). */
const CORE_PROPERTIES: Readonly<Record<string, true>> = {
  schema_version: true, source: true, category: true, severity: true, alert_id: true, timestamp: true, src_scope: true, dst_scope: true,
  direction: true, service: true, raw_event: true, tcp_flag_names: true, extra: true,
};

/**
 * An OCSF network endpoint: the packet-level address when it differs from the interface's (which
 * then goes to `intermediate_ips`), the port, and the AWS service. A value that is not an address
 * (a free-text JSON record) goes to `unmapped` instead of `ip`.
 */
function endpoint(address: string | null, packet: unknown, port: number | null, service: unknown, side: 'src' | 'dst', unmapped: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const valid = (ip: unknown): ip is string => typeof ip === 'string' && ip.length <= 40 && parseIp(ip) !== undefined;
  const pkt = typeof packet === 'string' ? packet : null;
  const ip = pkt !== null && pkt !== address ? pkt : address;
  // Under their AWS names, like every other field OCSF has no place for.
  if (valid(ip)) out['ip'] = ip;
  else if (ip !== null) unmapped[ip === pkt ? `pkt-${side}addr` : `${side}addr`] = ip;
  if (pkt !== null && address !== null && pkt !== address) {
    if (valid(address)) out['intermediate_ips'] = [address];
    else unmapped[`${side}addr`] = address;
  }
  if (port !== null && Number.isInteger(port) && port >= 0 && port <= 65_535) out['port'] = port;
  if (typeof service === 'string') out['svc_name'] = service;
  return out;
}

/** A one-line account of the flow, for `message`. */
function summary(alert: Alert): string {
  if (alert.raw_event.record_format === 'unparsed') return 'VPC flow log record that could not be parsed';
  const at = (ip: string | null, port: number | null): string => `${ip ?? '?'}${port === null ? '' : `:${port}`}`;
  return (`${alert.action ?? alert.log_status ?? 'flow'} ${alert.protocol ?? alert.protocol_number ?? ''} ${at(alert.src_ip, alert.src_port)} -> ${at(alert.dst_ip, alert.dst_port)}`.replace(/ {2,}/g, ' '));
}

function epochMs(value: number | null): number | undefined {
  if (value === null || !Number.isSafeInteger(value) || value < 0) return undefined;
  return value >= MILLISECONDS_THRESHOLD ? value : value * 1000;
}

function timeOf(iso: string | null | undefined): number | undefined {
  if (iso === null || iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * `value` without null and undefined properties (OCSF omits what a source does not say), with every
 * string well-formed UTF-16 (a lone surrogate, which a hostile record can hold and no UTF-8 consumer
 * can store, becomes U+FFFD; `raw_data` may differ from the raw record there) and, outside
 * `unmapped`, within OCSF's `string_t` limit, cut without splitting a character.
 */
function capStrings(value: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: unknown, inUnmapped: boolean): unknown => {
    if (typeof v === 'string') return inUnmapped ? wellFormed(v) : cap(wellFormed(v));
    if (Array.isArray(v)) return v.map((item) => walk(item, inUnmapped));
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, inner] of Object.entries(v)) if (inner !== null && inner !== undefined) out[k] = walk(inner, inUnmapped || k === 'unmapped');
    return out;
  };
  return walk(value, false) as Record<string, unknown>;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

function cap(text: string): string {
  if (text.length <= MAX_STRING) return text;
  const code = text.charCodeAt(MAX_STRING - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? MAX_STRING - 1 : MAX_STRING);
}

/** `value` without its null and undefined properties (OCSF omits what a source does not say). */
function defined<T extends Record<string, unknown>>(value: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) out[key] = v;
  return out;
}

const ENDPOINT_NAMES = ['ip', 'svc_name', 'instance_uid', 'interface_uid'] as const;

function named(endpoint: Record<string, unknown>): Record<string, unknown> {
  return ENDPOINT_NAMES.some((key) => endpoint[key] !== undefined) ? endpoint : { ...endpoint, name: 'unknown' };
}

function nonEmpty(value: Record<string, unknown>): Record<string, unknown> | undefined {
  return Object.keys(value).length === 0 ? undefined : value;
}
