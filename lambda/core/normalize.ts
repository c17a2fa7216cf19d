import { createHash } from 'node:crypto';
import type { Alert, EventMeta, RawEvent } from './alert';
import type { CompiledFormat, FlowRecord } from './log-format';
import type { ParseOutcome } from './record-parser';
import { parseMessage } from './record-parser';
import { isoFromMillis } from './iso-time';
import { protocolName } from './protocols';
import { flowContext } from './flow-context';
import type { Cidr } from './ip-address';
import type { SeverityPolicy } from './severity';
import { DEFAULT_SEVERITY_POLICY, severityOf } from './severity';
import { tcpFlagNames } from './tcp-flags';
import { NATIVE_SCHEMA_VERSION } from './contract-version';

/** Record keys that land on the alert's fixed core properties; everything else is copied after them. */
const CORE_RECORD_KEYS: ReadonlySet<string> = new Set([
  'action', 'log_status', 'src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol_number',
  'packets', 'bytes', 'start', 'end', 'aws_account_id', 'cloud_resource',
]);

/**
 * Epoch values at or above this are milliseconds: as seconds they would be past the year 5000.
 * AWS writes seconds; some re-shippers write milliseconds.
 */
const MILLISECONDS_THRESHOLD = 100_000_000_000;

/** How alerts are classified: the networks that count as private besides the standard ones, and the severity policy. */
export interface ClassifyOptions {
  readonly internalCidrs: readonly Cidr[];
  readonly severity: SeverityPolicy;
}

/** No extra internal networks, the `seed` profile, no rules: the original behaviour. */
export const DEFAULT_CLASSIFY: ClassifyOptions = { internalCidrs: [], severity: DEFAULT_SEVERITY_POLICY };

/**
 * Parses and normalizes one message. Returns `null` for a header line, which describes a
 * layout and holds no flow. Never throws.
 */
export function messageToAlert(message: string, format: CompiledFormat, meta: EventMeta = {}, classify: ClassifyOptions = DEFAULT_CLASSIFY): Alert | null {
  const outcome = parseMessage(message, format);
  return outcome.kind === 'header' ? null : normalize(message, outcome, meta, classify);
}

/** Builds the alert for a parsed (or unparsable) message. */
export function normalize(
  message: string,
  outcome: Exclude<ParseOutcome, { kind: 'header' }>,
  meta: EventMeta = {},
  classify: ClassifyOptions = DEFAULT_CLASSIFY,
): Alert {
  const record: FlowRecord = outcome.kind === 'record' ? outcome.record : {};
  const action = str(record.action);
  const logStatus = str(record.log_status);
  const start = num(record.start);
  const protocolNumber = num(record.protocol_number);
  const srcIp = str(record.src_ip);
  const dstIp = str(record.dst_ip);
  const dstPort = num(record.dst_port);
  const protocol = protocolName(protocolNumber);
  const where = flowContext({ src_ip: srcIp, dst_ip: dstIp, pkt_src_ip: record.pkt_src_ip, pkt_dst_ip: record.pkt_dst_ip, protocol_number: protocolNumber, dst_port: dstPort }, classify.internalCidrs);
  const endpoint = (pkt: string | number | null | undefined, ip: string | null): string | null => (typeof pkt === 'string' ? pkt : ip);

  // Built in output order; raw_event goes last so the flow fields lead the JSON.
  const alert: Omit<Alert, 'raw_event'> & { raw_event?: RawEvent } = {
    schema_version: NATIVE_SCHEMA_VERSION,
    source: 'aws_vpc_flow',
    category: 'network',
    severity: severityOf(
      { action, log_status: logStatus, direction: where.direction, src_scope: where.src_scope, dst_scope: where.dst_scope, protocol, dst_port: dstPort, src_ip: endpoint(record.pkt_src_ip, srcIp), dst_ip: endpoint(record.pkt_dst_ip, dstIp) },
      classify.severity,
    ),
    alert_id: alertId(message, meta),
    timestamp: isoFromEpoch(start) ?? isoFromMillis(meta.timestamp),
    action,
    log_status: logStatus,
    src_ip: srcIp,
    dst_ip: dstIp,
    src_port: num(record.src_port),
    dst_port: dstPort,
    protocol,
    protocol_number: protocolNumber,
    packets: num(record.packets),
    bytes: num(record.bytes),
    start,
    end: num(record.end),
    aws_account_id: str(record.aws_account_id),
    cloud_resource: str(record.cloud_resource),
    src_scope: where.src_scope,
    dst_scope: where.dst_scope,
    direction: where.direction,
    service: where.service,
  };
  const target = alert as unknown as Record<string, unknown>;
  for (const key in record) {
    if (!CORE_RECORD_KEYS.has(key)) target[key] = record[key as keyof FlowRecord];
  }
  const flags = record.tcp_flags;
  if (typeof flags === 'number') alert.tcp_flag_names = tcpFlagNames(flags);
  if (outcome.kind === 'record' && outcome.extra !== undefined) alert.extra = outcome.extra;
  alert.raw_event = rawEvent(message, outcome, meta);
  return alert as Alert;
}

function rawEvent(message: string, outcome: Exclude<ParseOutcome, { kind: 'header' }>, meta: EventMeta): RawEvent {
  const raw: RawEvent = {
    message,
    record_format: outcome.kind === 'record' ? outcome.recordFormat : 'unparsed',
  };
  if (meta.logGroup !== undefined) raw.log_group = meta.logGroup;
  if (meta.logStream !== undefined) raw.log_stream = meta.logStream;
  if (meta.eventId !== undefined) raw.event_id = meta.eventId;
  const eventTime = isoFromMillis(meta.timestamp);
  if (eventTime !== null) raw.event_time = eventTime;
  const ingestionTime = isoFromMillis(meta.ingestionTime);
  if (ingestionTime !== null) raw.ingestion_time = ingestionTime;
  if (outcome.kind === 'unparsed') raw.parse_error = outcome.reason;
  if (meta.s3 !== undefined) raw.s3 = { ...meta.s3 };
  return raw;
}

/** What `alert_id` may be: 1-128 printable ASCII characters, as a FIFO deduplication id must be. */
export const ALERT_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The CloudWatch Logs event id when it fits the contract. An empty, oversize or odd one (a forged
 * delivery) is hashed, so it still repeats for a repeated event. With no id at all (CLI input), the
 * same message from the same place always gets the same hash, so consumers can de-duplicate on it.
 */
function alertId(message: string, meta: EventMeta): string {
  const id = meta.eventId;
  if (id !== undefined && ALERT_ID.test(id)) return id;
  const hash = createHash('sha256');
  if (id !== undefined) hash.update(`event-id\n${meta.logGroup ?? ''}\n${id}`);
  else hash.update(`${meta.logGroup ?? ''}\n${meta.logStream ?? ''}\n${meta.timestamp ?? ''}\n${message}`);
  return `sha256:${hash.digest('hex').slice(0, 32)}`;
}

function str(value: string | number | null | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: string | number | null | undefined): number | null {
  return typeof value === 'number' ? value : null;
}

function isoFromEpoch(value: number | null): string | null {
  if (value === null) return null;
  return isoFromMillis(value >= MILLISECONDS_THRESHOLD ? value : value * 1000);
}

