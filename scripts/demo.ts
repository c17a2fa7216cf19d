/**
 * `npm run demo -- [FILE] [--format LOGFORMAT] [--alert-mode M]`: the poller end to end on this
 * machine, no AWS account. Starts local endpoints on 127.0.0.1 (CloudWatch Logs emulator, fauxqs for
 * SQS, dynalite for DynamoDB), loads the bundled sample flow logs (samples/flow-events.jsonl, with
 * their ingestion delays) or your FILE, runs the real poller over simulated 5-minute ticks, reads the
 * queue back as an alert pipeline would, and prints what arrived. With `--alert-mode findings` (or
 * `both`) it also loads an hour of generated internet scanning with planted attacks and runs until
 * the hour's findings are out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ALERT_MODES } from '../lambda/core/finding';
import type { AlertMode, FindingAlert } from '../lambda/core/finding';
import { ENV } from '../lambda/settings/settings-table';
import { ALLOWLISTED_RANGE, backgroundTraffic, plantedAttacks } from '../local/flow-traffic';
import type { PollStats } from '../lambda/app/poll-log-group';
import { isParquetFile, readInputEvents, readInputText } from '../lambda/cli/cli-input';
import { LogFormatError } from '../lambda/core/errors';
import { compileFormat } from '../lambda/core/log-format';
import { parseMessage } from '../lambda/core/record-parser';
import type { LocalAws } from '../local/local-aws';
import { makePoller, quarantineUrlFor, startLocalAws } from '../local/local-aws';
import type { SampleEvent } from './make-samples';
import { CUSTOM_FORMAT, CUSTOM_GROUP, DEFAULT_GROUP, SAMPLE_BASE_SECONDS } from './make-samples';
import { runS3Demo } from './demo-s3';

const USAGE = `usage: npm run demo -- [FILE] [--format LOGFORMAT] [--alert-mode flows|findings|both] [--source logs|s3]

Runs the real poller over local endpoints and shows what reaches the alert queue.

  FILE                 your flow logs: plain lines, gzip (.log.gz), or the JSON 'aws logs filter-log-events'
                       prints; default: the bundled samples (samples/flow-events.jsonl)
  --format LOGFORMAT   FILE's LogFormat (default: a header line at the top of FILE, else the version 2 layout)
  --alert-mode M       as the stack's alertMode (default flows); findings and both also load an hour of
                       generated internet scanning with planted attacks, and run until its findings are out
  --source s3          the S3 source instead: the samples as a .log.gz and a Parquet object in a local bucket,
                       their notifications, the real handler, and what reached the queue
  -h, --help           this text

example: npm run demo -- flows.log.gz --format '\${version} \${srcaddr} \${dstaddr} \${dstport} \${action} \${log-status}'`;

/** Where your FILE's events are put. */
const YOUR_GROUP = '/demo/your-flow-logs';
/** Where the generated scanning goes (findings modes). */
const GENERATED_GROUP = '/demo/generated-scanning';
const TICK_MS = 5 * 60_000;
const TICKS = 12;
/** Findings modes: until the first hour's window has closed (its end, the lookback and a margin). */
const FINDING_TICKS = 19;
const LOOKBACK_MINUTES = 15;

interface ReceivedAlert {
  category: 'network';
  alert_id: string;
  severity: string;
  src_ip: string | null;
  dst_port: number | null;
  action: string | null;
  raw_event: { record_format: string; log_group?: string; message: string };
}

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function top(counts: Map<string, number>, n: number): string {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([k, v]) => `${k} (${v})`).join(', ');
}

function count<T>(items: readonly T[], key: (item: T) => string | null): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

interface DemoArgs {
  readonly file?: string;
  readonly format?: string;
  readonly alertMode: AlertMode;
  readonly source: 'logs' | 's3';
}

function readArgs(argv: readonly string[]): DemoArgs | string {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { format: { type: 'string' }, 'alert-mode': { type: 'string' }, source: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (values.help === true) return '';
    if (positionals.length > 1) return 'give one FILE';
    if (values.format !== undefined && positionals[0] === undefined) return '--format applies to your FILE; the bundled samples bring their own';
    const alertMode = values['alert-mode'] ?? 'flows';
    if (!ALERT_MODES.includes(alertMode as AlertMode)) return `--alert-mode "${alertMode}" must be ${ALERT_MODES.join(', ')}`;
    const source = values.source ?? 'logs';
    if (source !== 'logs' && source !== 's3') return `--source "${source}" must be logs or s3`;
    if (source === 's3' && (positionals[0] !== undefined || values['alert-mode'] !== undefined)) return '--source s3 runs the bundled samples as S3 objects, in flows mode';
    return { source, alertMode: alertMode as AlertMode, ...(positionals[0] !== undefined && { file: positionals[0] }), ...(values.format !== undefined && { format: values.format }) };
  } catch (error) {
    return (error as Error).message;
  }
}

/** The groups to poll and their layouts, after loading the events into the emulator. */
interface Loaded {
  readonly groups: ReadonlyArray<{ readonly name: string; readonly logFormat?: string }>;
  /** Every loaded event by its CloudWatch id, with a note on why it may not arrive. */
  readonly events: ReadonlyMap<string, { readonly message: string; readonly note: string }>;
}

function loadSamples(aws: LocalAws): Loaded {
  const samples = readFileSync(join(__dirname, '..', 'samples', 'flow-events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SampleEvent);
  aws.clock.ms = SAMPLE_BASE_SECONDS * 1000;
  const events = new Map<string, { message: string; note: string }>();
  for (const group of [DEFAULT_GROUP, CUSTOM_GROUP]) {
    aws.logs.createLogGroup(group);
    const mine = samples.filter((s) => s.logGroup === group);
    const ids = aws.logs.putEvents(
      group,
      mine.map((e) => ({ logStreamName: 'eni-all', timestamp: e.timestamp * 1000, ingestionTime: (e.timestamp + e.ingestDelaySeconds) * 1000, message: e.message })),
    );
    ids.forEach((id, i) => events.set(id, { message: mine[i]?.message ?? '', note: mine[i]?.note ?? '' }));
    out(`  loaded ${mine.length} sample events into ${group}`);
  }
  return { groups: [{ name: DEFAULT_GROUP }, { name: CUSTOM_GROUP, logFormat: CUSTOM_FORMAT }], events };
}

/**
 * Your file as one log group. Its events are spread over the demo's first minute, in file order, and
 * ingested at once: the poller then reads them all in its first windows, whatever times the file
 * holds (each alert still takes its timestamp from the record's own start).
 */
async function loadFile(aws: LocalAws, file: string, format: string | undefined): Promise<Loaded> {
  if (format !== undefined && isParquetFile(file)) throw new Error('--format does not apply to a Parquet file (its schema names its fields): leave it out');
  const input = readInputEvents(await readInputText(file));
  let logFormat = format;
  if (logFormat === undefined && input[0] !== undefined) {
    const first = parseMessage(input[0].message, compileFormat());
    if (first.kind === 'header') logFormat = first.fields.map((f) => f.name).join(' ');
  }
  aws.logs.createLogGroup(YOUR_GROUP);
  const start = aws.clock.ms;
  const ids = aws.logs.putEvents(
    YOUR_GROUP,
    input.map((e, i) => {
      const at = start + Math.floor((i * 60_000) / Math.max(1, input.length));
      return { logStreamName: e.meta.logStream ?? 'your-file', timestamp: at, ingestionTime: at, message: e.message };
    }),
  );
  out(`  loaded ${input.length} events from ${file} into ${YOUR_GROUP}${logFormat === undefined ? ' (the version 2 layout)' : ` (layout: ${logFormat})`}`);
  return { groups: [{ name: YOUR_GROUP, ...(logFormat !== undefined && { logFormat }) }], events: new Map(ids.map((id, i) => [id, { message: input[i]?.message ?? '', note: 'ingested later than the lookback, or outside the catch-up window' }])) };
}

/** Adds an hour of generated internet scanning, with the planted attacks, as one more log group. */
function withGenerated(aws: LocalAws, loaded: Loaded): Loaded {
  const start = Math.floor(aws.clock.ms / 3_600_000) * 3_600_000;
  const events = [...backgroundTraffic({ startMs: start, hours: 1, interfaces: 20 }), ...plantedAttacks(start + 10 * 60_000).events];
  aws.logs.createLogGroup(GENERATED_GROUP);
  // Ingested two minutes after their timestamps, as flow logs are.
  const ids = aws.logs.putEvents(GENERATED_GROUP, events.map((e) => ({ logStreamName: 'eni-all', timestamp: e.timestamp, ingestionTime: e.timestamp + 120_000, message: e.message })));
  out(`  loaded ${events.length} generated events into ${GENERATED_GROUP}: an hour of internet scanning on 20 interfaces, with a port scan, a host sweep, a lateral probe, a blocked egress and an allowlisted scanner planted at :10`);
  const all = new Map(loaded.events);
  ids.forEach((id, i) => all.set(id, { message: events[i]?.message ?? '', note: 'generated scanning' }));
  return { groups: [...loaded.groups, { name: GENERATED_GROUP }], events: all };
}

/** What the findings say, and how many messages they saved. */
function showFindings(findings: readonly FindingAlert[], matching: number): void {
  const byType = count(findings, (f) => f.finding_type);
  out(`Findings the pipeline received: ${findings.length} (distinct alert_id: ${new Set(findings.map((f) => f.alert_id)).size}): ${top(byType, 5)}`);
  out(`  ${matching} matching records became ${findings.length} findings: ${(matching / Math.max(1, findings.length)).toFixed(0)}x fewer messages than alertMode flows sends`);
  const severityRank = { high: 0, medium: 1, low: 2, info: 3 } as const;
  const actionable = findings.filter((f) => f.finding_type !== 'inbound_summary').sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || a.title.localeCompare(b.title));
  for (const f of actionable) out(`  ${f.severity.padEnd(6)} ${f.finding_type.padEnd(15)} ${f.title}`);
  const summaries = findings.filter((f) => f.finding_type === 'inbound_summary').sort((a, b) => b.flow_count - a.flow_count);
  out(`  info   inbound_summary ${summaries.length} interfaces; the busiest: ${summaries[0]?.title ?? 'none'}`);
  const example = actionable.find((f) => f.finding_type === 'port_scan') ?? actionable[0];
  if (example !== undefined) {
    out();
    out('A finding, as the queue holds it:');
    out(JSON.stringify(example, null, 2));
  }
}

async function main(): Promise<number> {
  const args = readArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(args === '' ? `${USAGE}\n` : `demo: ${args}\n\n${USAGE}\n`);
    return args === '' ? 0 : 2;
  }
  if (args.format !== undefined) {
    try {
      compileFormat(args.format.trim() === '' ? 'empty' : args.format);
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      process.stderr.write(`demo: bad --format: ${error.message}\n`);
      return 2;
    }
  }
  // The demo prints its own summary; the Lambda's JSON logs and EMF lines would drown it.
  process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  if (args.source === 's3') return runS3Demo();

  const aws: LocalAws = await startLocalAws();
  try {
    out('vpc-flow-alerts demo: the real poller against local endpoints on 127.0.0.1');
    out(`  CloudWatch Logs emulator ${aws.logs.endpoint}   SQS (fauxqs) ${aws.sqs.endpoint}   DynamoDB (dynalite) ${aws.dynamo.endpoint}`);
    let loaded: Loaded;
    try {
      loaded = args.file === undefined ? loadSamples(aws) : await loadFile(aws, args.file, args.format);
    } catch (error) {
      process.stderr.write(`demo: cannot read ${args.file ?? 'the samples'}: ${(error as Error).message}\n`);
      return 1;
    }
    const findingsMode = args.alertMode !== 'flows';
    if (findingsMode) loaded = withGenerated(aws, loaded);
    const idsByGroup = new Map([['all', loaded.events]]);
    const queueUrl = await aws.sqs.createQueue('vpc-flow-alerts');
    await aws.dynamo.createCheckpointTable('vpc-flow-alerts-checkpoints');
    const poller = makePoller(aws, {
      ...(findingsMode && { [ENV.alertMode]: args.alertMode, [ENV.allowlistCidrs]: ALLOWLISTED_RANGE, [ENV.maxEventsPerRun]: '20000' }),
      [ENV.logGroups]: JSON.stringify(loaded.groups),
      [ENV.queueUrl]: queueUrl,
      [ENV.quarantineQueueUrl]: quarantineUrlFor(queueUrl),
      [ENV.checkpointTable]: 'vpc-flow-alerts-checkpoints',
      [ENV.lookbackMinutes]: String(LOOKBACK_MINUTES),
      [ENV.filterRequestsPerSecond]: '5',
    });

    out();
    out(`Scheduled runs (every 5 simulated minutes, filter pattern "?REJECT ?SKIPDATA", lookback ${LOOKBACK_MINUTES} min${findingsMode ? `, alertMode ${args.alertMode}, allowlist ${ALLOWLISTED_RANGE}` : ''}):`);
    const received: ReceivedAlert[] = [];
    const findings: FindingAlert[] = [];
    let last: readonly PollStats[] = [];
    let duplicates = 0;
    let held = 0;
    for (let tick = 1; tick <= (findingsMode ? FINDING_TICKS : TICKS); tick++) {
      aws.clock.ms += TICK_MS;
      const summary = await poller.invoke();
      const messages = await aws.sqs.drain(queueUrl);
      for (const m of messages) {
        const body = JSON.parse(m.Body ?? '{}') as ReceivedAlert | FindingAlert;
        if (body.category === 'finding') findings.push(body);
        else received.push(body);
      }
      last = summary.groups;
      const time = new Date(aws.clock.ms).toISOString().slice(11, 16);
      const parts = summary.groups.map((g) => {
        duplicates += g.duplicatesSkipped;
        held += g.admissions.held + g.admissions.allowlisted + g.admissions.counted;
        const found = Object.values(g.findings.byType).reduce((a, b) => a + b, 0);
        return `${g.logGroup.padEnd(findingsMode ? 26 : 22)} read ${String(g.recordsRead).padStart(4)}  sent ${String(g.alertsSent).padStart(3)}${findingsMode ? `  held ${String(g.admissions.held + g.admissions.allowlisted).padStart(4)}  findings ${String(found).padStart(2)}` : `  duplicates skipped ${String(g.duplicatesSkipped).padStart(3)}`}`;
      });
      out(`  ${time}Z  ${parts.join(findingsMode ? ' | ' : '   |   ')}   queue +${messages.length}`);
    }

    const bySeverity = count(received, (a) => a.severity);
    const byFormat = count(received, (a) => a.raw_event.record_format);
    const rejected = received.filter((a) => a.action === 'REJECT');
    out();
    out(`Alerts the pipeline received: ${received.length} (distinct alert_id: ${new Set(received.map((a) => a.alert_id)).size})`);
    out(`  by severity:       ${top(bySeverity, 5)}`);
    out(`  by record format:  ${top(byFormat, 5)}`);
    out(`  top rejected sources:            ${top(count(rejected, (a) => a.src_ip), 5)}`);
    out(`  top rejected destination ports:  ${top(count(rejected, (a) => (a.dst_port === null ? null : String(a.dst_port))), 5)}`);
    out(`  duplicates skipped (records re-read in the lookback overlap, not re-sent): ${duplicates}`);
    out(`  lag after the last run: ${last.map((g) => `${g.logGroup} ${g.lagSeconds ?? '?'} s`).join(', ')}`);

    // What the filter pattern selects, and what of it arrived.
    const receivedIds = new Set(received.map((a) => a.alert_id));
    const matching = [...idsByGroup.values()].flatMap((m) => [...m.entries()]).filter(([, e]) => /REJECT|SKIPDATA/.test(e.message));
    const missing = matching.filter(([id]) => !receivedIds.has(id));
    out();
    if (findingsMode) {
      // Held flows are in findings (or allowlisted): delivered, not one by one.
      out(`Records matching the filter: ${matching.length}; sent on their own: ${matching.length - missing.length}; held in findings, allowlisted or only counted (SKIPDATA): ${held}; not delivered: ${missing.length - held} (ingested later than the lookback)`);
      showFindings(findings, matching.length);
    } else {
      out(`Records matching the filter: ${matching.length}; delivered: ${matching.length - missing.length}; not delivered: ${missing.length}`);
      for (const [, event] of missing.slice(0, 10)) out(`  not delivered: ${event.note}`);
    }
    const unparsed = received.filter((a) => a.raw_event.record_format === 'unparsed');
    out(`Unparsed records (sent as alerts with record_format "unparsed", raw message kept): ${unparsed.length}`);
    for (const alert of unparsed.slice(0, 5)) {
      const raw = alert.raw_event.message;
      out(`  unparsed record, raw message: ${JSON.stringify(raw.length > 100 ? `${raw.slice(0, 100)}…` : raw)}`);
    }

    if (findingsMode && args.alertMode === 'findings') return 0;
    out();
    out('First alerts, as the queue holds them:');
    const firsts = [received.find((a) => a.raw_event.record_format === 'v2'), received.find((a) => a.raw_event.record_format === 'custom'), received.find((a) => a.severity === 'info')];
    for (const alert of firsts) if (alert !== undefined) out(JSON.stringify(alert, null, 2));
  } finally {
    await aws.stop();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
