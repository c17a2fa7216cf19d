/**
 * Derives the alert contract's JSON Schema and the field table of docs/alert-contract.md from
 * the one field table (lambda/core/flow-fields.ts), so the docs cannot drift from the code.
 */
import { RECORD_FORMATS, TRUNCATION_REASONS } from '../lambda/core/alert';
import { FLOW_FIELDS } from '../lambda/core/flow-fields';
import { DIRECTIONS, SCOPES } from '../lambda/core/flow-context';
import { SEVERITIES } from '../lambda/core/severity';
import type { FindingAlert } from '../lambda/core/finding';
import { FINDING_TYPES, SAMPLE_SIZE, TOP_SIZE } from '../lambda/core/finding';
import { admitFlow } from '../lambda/core/admit-flow';
import { findingsOfWindow } from '../lambda/core/close-window';
import { emptyState } from '../lambda/core/finding-state';
import { cidrs } from '../lambda/core/ip-address';
import { compileFormat } from '../lambda/core/log-format';
import { messageToAlert } from '../lambda/core/normalize';
import { backgroundTraffic, plantedAttacks } from '../local/flow-traffic';
import { bodyOf } from '../lambda/app/send-alerts';

type Schema = Record<string, unknown>;

const nullable = (type: 'string' | 'integer', extra: Schema = {}): Schema => ({ type: [type, 'null'], ...extra });
/**
 * The values a string takes today, open to the ones a later minor version adds ("Versions"):
 * `anyOf` a known value or any string. The tests close it to the known values.
 */
const known = (values: readonly (string | null)[]): Schema => ({ anyOf: [{ enum: [...values] }, { type: values.includes(null) ? ['string', 'null'] : 'string' }] });
const isoTime: Schema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' };

/** Core properties: always present, `null` when the record does not say. */
/** `1.2.0`: major.minor.patch; consumers check the major (see "Versions"). */
const SCHEMA_VERSION: Schema = { type: 'string', pattern: '^1\\.\\d+\\.\\d+$' };

const CORE: Record<string, Schema> = {
  schema_version: SCHEMA_VERSION,
  source: { const: 'aws_vpc_flow' },
  category: { const: 'network' },
  severity: known(SEVERITIES),
  alert_id: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' },
  timestamp: { oneOf: [isoTime, { type: 'null' }] },
  action: nullable('string'),
  log_status: nullable('string'),
  src_ip: nullable('string'),
  dst_ip: nullable('string'),
  src_port: nullable('integer', { minimum: 0, maximum: 65535 }),
  dst_port: nullable('integer', { minimum: 0, maximum: 65535 }),
  protocol: nullable('string'),
  protocol_number: nullable('integer', { minimum: 0, maximum: 255 }),
  packets: nullable('integer', { minimum: 0 }),
  bytes: nullable('integer', { minimum: 0 }),
  start: nullable('integer', { minimum: 0 }),
  end: nullable('integer', { minimum: 0 }),
  aws_account_id: nullable('string'),
  cloud_resource: nullable('string'),
  src_scope: known([...SCOPES, null]),
  dst_scope: known([...SCOPES, null]),
  direction: known([...DIRECTIONS, null]),
  service: nullable('string'),
};

const RAW_EVENT: Schema = {
  type: 'object',
  // Open: a later minor version may add properties (docs/alert-contract.md, "Versions").
  additionalProperties: true,
  required: ['message', 'record_format'],
  properties: {
    message: { type: 'string' },
    record_format: known(RECORD_FORMATS),
    log_group: { type: 'string' },
    log_stream: { type: 'string' },
    event_id: { type: 'string' },
    event_time: isoTime,
    ingestion_time: isoTime,
    parse_error: { type: 'string' },
    truncated: { const: true },
    original_bytes: { type: 'integer', minimum: 0 },
    truncation_reason: known(TRUNCATION_REASONS),
    s3: {
      type: 'object',
      additionalProperties: true,
      required: ['bucket', 'key'],
      properties: { bucket: { type: 'string' }, key: { type: 'string' }, line: { type: 'integer', minimum: 1 }, row: { type: 'integer', minimum: 1 } },
    },
  },
};

const count: Schema = { type: 'integer', minimum: 0 };

/** Every property of a finding: its schema and one line for docs/alert-contract.md. Checked against the type. */
export const FINDING_PROPERTIES = {
  schema_version: [SCHEMA_VERSION, 'The native contract\'s version, as on flow alerts'],
  source: [{ const: 'aws_vpc_flow' }, '`aws_vpc_flow`'],
  category: [{ const: 'finding' }, '`finding` (flow alerts have `network`)'],
  finding_type: [known(FINDING_TYPES), 'What was seen (see the table above)'],
  severity: [known(SEVERITIES), '`port_scan`/`host_sweep`: `medium` from a public source, `high` from a private one; `lateral_blocked`, `egress_blocked`: `high`; `inbound_summary`: `info`'],
  alert_id: [{ type: 'string', pattern: '^finding-[0-9a-f]{40}$' }, '`finding-` and 40 hex digits of SHA-256 over type, log group, subject and window: the same finding always has the same id'],
  title: [{ type: 'string' }, 'One sentence for a person'],
  timestamp: [isoTime, 'Same as `first_seen`'],
  first_seen: [isoTime, 'Start of the earliest flow behind the finding'],
  last_seen: [isoTime, 'End of the latest flow behind the finding'],
  window_start: [isoTime, 'The window the finding counts (windows are `findingWindowMinutes` long, aligned to the epoch)'],
  window_end: [isoTime, 'End of that window (exclusive)'],
  log_group: [nullable('string'), 'The log group the flows came from; `s3://<bucket>/<prefix>` for flows read from S3 (the stack\'s `flowLogPrefix`, or the prefix `replay --s3` was given); `null` from the `normalize` command without `--log-group`'],
  src_ip: [nullable('string'), 'The source (canonical text; the packet-level address when logged); `null` for `inbound_summary`'],
  src_scope: [known([...SCOPES, null]), '`private` or `public`; `null` for `inbound_summary`'],
  dst_ip: [nullable('string'), '`port_scan`: the destination; `inbound_summary` of a layout without interface ids: the destination; else `null`'],
  cloud_resource: [nullable('string'), 'The destination interface (ENI) of a `port_scan` or `inbound_summary`, when logged'],
  flow_count: [count, 'Distinct flows behind the finding'],
  distinct_ports: [count, 'Distinct TCP/UDP/SCTP destination ports'],
  distinct_hosts: [count, 'Distinct destination addresses'],
  distinct_sources: [count, 'Distinct sources (1 for a finding about one source)'],
  counts_exact: [{ type: 'boolean' }, '`false` when a count went past 64 and is an estimate (about ±13 %)'],
  sample_ports: [{ type: 'array', maxItems: SAMPLE_SIZE, items: { type: 'integer', minimum: 0, maximum: 65535 } }, `Destination ports seen, smallest first (at most ${SAMPLE_SIZE}): the smallest of all when \`distinct_ports\` ≤ 64, of a hash-chosen 64 beyond`],
  sample_hosts: [{ type: 'array', maxItems: SAMPLE_SIZE, items: { type: 'string' } }, `Destination addresses (at most ${SAMPLE_SIZE}, sorted)`],
  top_sources: [{ type: 'array', maxItems: TOP_SIZE, items: { type: 'object', additionalProperties: true, required: ['ip', 'flow_count'], properties: { ip: { type: 'string' }, flow_count: count } } }, `\`inbound_summary\`: the sources with most flows (at most ${TOP_SIZE}); else empty`],
  top_ports: [{ type: 'array', maxItems: TOP_SIZE, items: { type: 'object', additionalProperties: true, required: ['port', 'service', 'sources'], properties: { port: { type: 'integer', minimum: 0, maximum: 65535 }, service: nullable('string'), sources: count } } }, `\`inbound_summary\`: the ports most sources tried (at most ${TOP_SIZE}), with their service names; else empty`],
  evidence: [{ type: 'array', maxItems: 10, items: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' } }, '`alert_id`s of up to 10 flows behind the finding (sorted)'],
} as const satisfies Record<keyof FindingAlert, readonly [Schema, string]>;

/** The JSON Schema of a finding alert. */
function findingSchema(): Schema {
  const properties: Record<string, Schema> = {};
  for (const [name, [schema]] of Object.entries(FINDING_PROPERTIES)) properties[name] = schema;
  return { type: 'object', additionalProperties: true, required: Object.keys(FINDING_PROPERTIES), properties };
}

/** The markdown table of finding properties for docs/alert-contract.md. */
export function renderFindingTable(): string {
  const rows = Object.entries(FINDING_PROPERTIES).map(([name, [, doc]]) => `| \`${name}\` | ${doc} |`);
  return ['| Property | Meaning |', '| --- | --- |', ...rows].join('\n');
}

/** The JSON Schema (draft-07) every alert body validates against: a flow alert or a finding, by `category`. */
export function buildAlertSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'urn:vpc-flow-alerts:alert:v1',
    title: 'vpc-flow-alerts alert',
    description: 'One message on the SQS queue (native contract, major version 1; `schema_version` holds the full version): a flow alert (`category: network`, one per flow-log record) or a finding (`category: finding`). Open to properties later minor versions add: ignore the ones you do not know. Generated by `npm run gen:contract`.',
    definitions: { flow: buildFlowSchema(), finding: findingSchema() },
    type: 'object',
    required: ['category'],
    if: { properties: { category: { const: 'finding' } } },
    then: { $ref: '#/definitions/finding' },
    else: { $ref: '#/definitions/flow' },
  };
}

/** The schema of a flow alert. */
function buildFlowSchema(): Schema {
  const properties: Record<string, Schema> = { ...CORE };
  for (const field of FLOW_FIELDS) {
    if (field.alert in CORE) continue;
    const max = 'max' in field ? { maximum: field.max } : {};
    properties[field.alert] = field.type === 'int' ? nullable('integer', { minimum: 0, ...max }) : nullable('string');
  }
  properties['tcp_flag_names'] = {
    type: 'array',
    items: known(['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR']),
    uniqueItems: true,
  };
  properties['extra'] = { type: 'object' };
  properties['raw_event'] = RAW_EVENT;
  return {
    type: 'object',
    additionalProperties: true,
    required: [...Object.keys(CORE), 'raw_event'],
    properties,
  };
}

/** The markdown table of flow fields for docs/alert-contract.md. */
export function renderFieldTable(): string {
  const rows = FLOW_FIELDS.map((f) => `| \`${f.name}\` | \`${f.alert}\` | ${f.type === 'int' ? 'integer' : 'string'} | ${f.doc} |`);
  return ['| LogFormat field | Alert property | Type | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/**
 * One finding of each type, made by the detectors from the generated traffic (the planted attacks
 * in an hour of background scanning), as the docs show them.
 */
export function exampleFindings(): FindingAlert[] {
  const windowMs = 3_600_000;
  const start = Date.UTC(2026, 10, 25, 12, 0, 0);
  const settings = { alertMode: 'findings', scanPortThreshold: 10, sweepHostThreshold: 10, windowMs, allowlist: cidrs('192.0.2.0/24') } as const;
  const state = emptyState();
  const format = compileFormat();
  const events = [...backgroundTraffic({ startMs: start, hours: 1, interfaces: 20, sweepersPerHour: 0 }), ...plantedAttacks(start + 10 * 60_000).events];
  events.forEach((event, i) => {
    const alert = messageToAlert(event.message, format, { eventId: `example-${i}`, timestamp: event.timestamp, logGroup: '/aws/vpc/flowlogs' });
    if (alert !== null) admitFlow(state, alert, event.timestamp, settings);
  });
  const window = state.windows.get(start);
  if (window === undefined) throw new Error('the example traffic made no window');
  const findings = findingsOfWindow(window, { logGroup: '/aws/vpc/flowlogs', start, windowMs }, settings);
  return FINDING_TYPES.map((type) => {
    const found = findings.filter((f) => f.finding_type === type).sort((a, b) => b.flow_count - a.flow_count)[0];
    if (found === undefined) throw new Error(`the example traffic made no ${type}`);
    return found;
  });
}

/** The finding examples section of docs/alert-contract.md. */
export function renderFindingExamples(): string {
  return exampleFindings().map((f) => `\`${f.finding_type}\`:\n\n\`\`\`json\n${compactJson(f)}\n\`\`\``).join('\n\n');
}

/** One documented message: what it shows, and the body as the queue receives it. */
export interface MessageExample {
  readonly title: string;
  readonly body: Record<string, unknown>;
}

/**
 * A flow alert of every kind, made by the code that makes them (normalize, then the body the queue
 * receives): one per layout family, unparsed, cut to fit, push mode. Findings: exampleFindings.
 */
export function exampleMessages(): MessageExample[] {
  const poll = { logGroup: '/aws/vpc/flowlogs', logStream: 'eni-1235b8ca123456789-all', eventId: '31953106606966983378809025079804211143289615424298221568', timestamp: 1_418_530_010_000, ingestionTime: 1_418_530_351_000 };
  const body = (message: string, logFormat: string | undefined, meta: typeof poll | Omit<typeof poll, 'ingestionTime'>, maxBytes = 262_144): Record<string, unknown> => {
    const alert = messageToAlert(message, compileFormat(logFormat), meta);
    if (alert === null) throw new Error('an example made no alert');
    return JSON.parse(bodyOf(alert, maxBytes)) as Record<string, unknown>;
  };
  const v5 = '${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status} ${flow-direction}';
  const { ingestionTime: _unused, ...push } = poll;
  return [
    { title: 'A rejected RDP attempt in the default layout (version 2), read by the poll', body: body('2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK', undefined, poll) },
    { title: 'A custom version 5 layout with TCP flags and flow direction: an internet probe of SSH', body: body('5 vpc-0a1b2c3d4e5f60718 subnet-0a1b2c3d4e5f60718 i-0c50d5961bcb2d47b eni-1235b8ca123456789 123456789010 IPv4 203.0.113.12 10.0.1.5 51515 22 203.0.113.12 10.0.1.5 6 44 1 1418530010 1418530070 REJECT 2 OK ingress', v5, poll) },
    { title: 'A JSON record (as some re-shippers write them), with a key that is not a flow-log field', body: body(JSON.stringify({ srcaddr: '198.51.100.7', dstaddr: '10.0.2.9', dstport: 5432, protocol: 6, action: 'REJECT', 'log-status': 'OK', start: 1418530010, shipper: 'fluent-bit' }), undefined, poll) },
    { title: 'An unparsed record: sent with its raw message and the reason', body: body('2 123456789010 eni-1235b8ca123456789 172.31.9.69', undefined, poll) },
    { title: 'A record too large for the message, cut to fit (here with a 4 KiB `maxMessageBytes`)', body: body(JSON.stringify({ srcaddr: '10.0.1.5', dstaddr: '45.33.32.156', dstport: 4444, protocol: 6, action: 'REJECT', payload: 'A'.repeat(6000) }), undefined, poll, 4096) },
    { title: 'Push mode (a subscription delivery): no `ingestion_time`', body: body('2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK', undefined, push) },
  ];
}

/** The examples section of docs/alert-contract.md. */
export function renderMessageExamples(): string {
  return exampleMessages().map((e) => `${e.title}:\n\n\`\`\`json\n${compactJson(e.body)}\n\`\`\``).join('\n\n');
}

/** JSON with arrays of numbers and strings on one line each, so an example fits a screen. */
function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, items: string) => `[${items.split(/,\n\s*/).join(', ')}]`);
}
