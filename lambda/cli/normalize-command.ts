/**
 * `npm run --silent normalize -- [--format '<LogFormat>'] [--log-group NAME] [--alert-mode M] [FILE]`
 *
 * Reads flow-log messages (one per line, or the JSON `aws logs filter-log-events` prints; plain or
 * gzip; or a flow log's Parquet file) from FILE or stdin and writes one alert per line: the bodies the Lambda sends. With
 * `--alert-mode findings` or `both`, the input is one ordered stream for the detectors: every window
 * is closed at the end of input and its findings written after the flow alerts. Diagnostics go
 * to stderr. Exit 0 on success, 1 when the input cannot be read, 2 on bad usage or a bad `--format`,
 * 3 when the input held records and none could be parsed.
 */
import { parseArgs } from 'node:util';
import { bodyOf } from '../app/send-alerts';
import { LogFormatError } from '../core/errors';
import type { CompiledFormat } from '../core/log-format';
import { compileFormat } from '../core/log-format';
import type { ClassifyOptions } from '../core/normalize';
import { normalize } from '../core/normalize';
import { CLASSIFY_OPTIONS, CLASSIFY_USAGE, readClassifyOptions } from './classify-options';
import { FINDING_OPTIONS, FINDING_USAGE, readFindingOptions } from './finding-options';
import type { OutputFormat } from '../core/contract-version';
import { toOcsfFinding } from '../core/ocsf';
import { OUTPUT_OPTIONS, OUTPUT_USAGE, readOutputFormat } from './output-options';
import { FindingTracker } from '../app/finding-tracker';
import type { Alert } from '../core/alert';
import { closeUpTo } from '../core/close-window';
import type { FindingAlert, FindingSettings } from '../core/finding';
import { FINDING_TYPES } from '../core/finding';
import { enforceLimit } from '../core/finding-limits';
import { parseMessage } from '../core/record-parser';
import { SETTINGS } from '../settings/settings-table';
import { isParquetFile, readInputEvents, readInputText } from './cli-input';

const USAGE = `usage: npm run --silent normalize -- [--format '<LogFormat>'] [--log-group NAME] [FILE]

Writes one alert (JSON) per flow-log record: the bodies the Lambda sends to the queue.

  FILE                  flow-log lines, or the JSON that 'aws logs filter-log-events' prints; plain or
                        gzip (.gz is detected by its content), or a flow log's Parquet file (S3; a FILE, not
                        stdin, and without --format: its schema names the fields); default: stdin
  --format LOGFORMAT    the flow log's LogFormat (aws ec2 describe-flow-logs --query 'FlowLogs[].LogFormat');
                        default: the version 2 layout, or the header line when the input starts with one
  --log-group NAME      recorded on raw_event.log_group
  --max-message-bytes N largest queue message, as the stack's maxMessageBytes (default ${SETTINGS.maxMessageBytes.default})
${CLASSIFY_USAGE}
${FINDING_USAGE}
${OUTPUT_USAGE}
  -h, --help            this text

exit status: 0 done; 1 the input could not be read; 2 bad usage or --format; 3 records but none parsed

example: npm run --silent normalize -- --format '\${version} \${vpc-id} \${srcaddr} \${dstaddr} \${srcport} \${dstport} \${protocol} \${action} \${log-status}' flows.log.gz`;

const MAX_REPORTED = 20;
/** How far past a window's end the stream must be before its findings are made: the stack's default lookback. */
const LOOKBACK_MS = SETTINGS.lookbackMinutes.default * 60_000;

interface Options {
  readonly classify: ClassifyOptions;
  readonly findings: FindingSettings;
  readonly outputFormat: OutputFormat;
  readonly format?: string;
  readonly logGroup?: string;
  readonly file?: string;
  readonly maxMessageBytes: number;
}

function readOptions(argv: readonly string[]): Options | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        format: { type: 'string' }, 'log-group': { type: 'string' }, 'max-message-bytes': { type: 'string' }, help: { type: 'boolean', short: 'h' },
        ...CLASSIFY_OPTIONS,
        ...FINDING_OPTIONS,
        ...OUTPUT_OPTIONS,
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return (error as Error).message;
  }
  const { values, positionals } = parsed;
  if (values.help === true) return '';
  if (positionals.length > 1) return `only one FILE may be given (got ${positionals.map((p) => `"${p}"`).join(' and ')})`;
  if (values.format !== undefined && values.format.trim() === '') return '--format is empty: give the flow log\'s LogFormat, or leave --format out for the version 2 layout';
  const spec = SETTINGS.maxMessageBytes;
  const maxMessageBytes = values['max-message-bytes'] === undefined ? spec.default : Number(values['max-message-bytes']);
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < spec.min || maxMessageBytes > spec.max) {
    return `--max-message-bytes ${values['max-message-bytes']} must be a whole number from ${spec.min} to ${spec.max}`;
  }
  const classify = readClassifyOptions(values);
  if (typeof classify === 'string') return classify;
  const findings = readFindingOptions(values);
  if (typeof findings === 'string') return findings;
  const outputFormat = readOutputFormat(values['output-format']);
  if (outputFormat !== 'native' && outputFormat !== 'ocsf') return outputFormat;
  return {
    classify,
    findings,
    outputFormat,
    maxMessageBytes,
    ...(values.format !== undefined && { format: values.format }),
    ...(values['log-group'] !== undefined && { logGroup: values['log-group'] }),
    ...(positionals[0] !== undefined && positionals[0] !== '-' && { file: positionals[0] }),
  };
}

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2));
  if (typeof options === 'string') {
    process.stderr.write(options === '' ? `${USAGE}\n` : `normalize: ${options}\n\n${USAGE}\n`);
    return options === '' ? 0 : 2;
  }
  if (options.format !== undefined && options.file !== undefined && isParquetFile(options.file)) {
    // Its rows come in the schema's column order: another layout would put values under the wrong fields.
    process.stderr.write(`normalize: --format does not apply to a Parquet file (its schema names its fields): leave it out\n`);
    return 2;
  }
  let format: CompiledFormat;
  try {
    format = compileFormat(options.format);
  } catch (error) {
    if (!(error instanceof LogFormatError)) throw error;
    process.stderr.write(`normalize: bad --format: ${error.message}\n`);
    return 2;
  }
  let text: string;
  try {
    text = await readInputText(options.file);
  } catch (error) {
    process.stderr.write(`normalize: cannot read ${options.file ?? 'stdin'}: ${(error as Error).message}\n`);
    return 1;
  }

  // Without --format, a header line before the first record sets the layout (as in S3 exports).
  // A header after records is reported and skipped: it must never re-map the lines after it.
  let mayAdoptHeader = options.format === undefined;
  let records = 0;
  let unparsed = 0;
  let headers = 0;
  let reported = 0;
  const report = (message: string): void => {
    if (++reported <= MAX_REPORTED) process.stderr.write(`normalize: ${message}\n`);
  };
  const out: string[] = [];
  const tracker = options.findings.alertMode === 'flows' ? undefined : FindingTracker.inMemory(options.logGroup ?? '', options.findings);
  const admit = tracker?.admitter();
  const findings: FindingAlert[] = [];
  let latest = Number.NEGATIVE_INFINITY;
  for (const event of readInputEvents(text, options.logGroup)) {
    const outcome = parseMessage(event.message, format);
    if (outcome.kind === 'header') {
      headers++;
      if (mayAdoptHeader) format = compileFormat(outcome.fields.map((f) => f.name).join(' '));
      else report(`input ${event.position}: a header line after the first record (or with --format) was skipped; it does not change the layout`);
      mayAdoptHeader = false;
      continue;
    }
    mayAdoptHeader = false;
    records++;
    if (outcome.kind === 'unparsed') {
      unparsed++;
      report(`input ${event.position}: sent as an unparsed alert (record_format "unparsed"): ${outcome.reason}`);
    }
    const alert = normalize(event.message, outcome, event.meta, options.classify);
    if (tracker !== undefined && records % 1000 === 0) {
      // As the stack does: a window is done once the stream is a lookback past its end, and the
      // state stays within its bounds whatever the file holds.
      findings.push(...closeUpTo(tracker.state, latest - LOOKBACK_MS, options.logGroup ?? null, options.findings));
      enforceLimit(tracker.state);
    }
    const time = timeOf(alert, event.meta.timestamp);
    if (Number.isFinite(time)) latest = Math.max(latest, time);
    const written = admit === undefined || admit(alert, { eventId: alert.alert_id, timestamp: time, message: event.message });
    if (!written) continue;
    out.push(bodyOf(alert, options.maxMessageBytes, options.outputFormat));
    if (out.length >= 1000) process.stdout.write(`${out.splice(0).join('\n')}\n`);
  }
  if (tracker !== undefined) {
    enforceLimit(tracker.state);
    findings.push(...closeUpTo(tracker.state, Number.POSITIVE_INFINITY, options.logGroup ?? null, options.findings));
    for (const finding of findings) out.push(JSON.stringify(options.outputFormat === 'ocsf' ? toOcsfFinding(finding) : finding));
    const byType = FINDING_TYPES.map((type) => `${findings.filter((f) => f.finding_type === type).length} ${type}`).join(', ');
    const c = tracker.counts;
    process.stderr.write(`normalize: ${findings.length} findings (${byType}); flows not written on their own: ${c.held} in findings, ${c.allowlisted} allowlisted, ${c.counted} counted\n`);
  }
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  if (reported > MAX_REPORTED) process.stderr.write(`normalize: ${reported - MAX_REPORTED} more lines not shown\n`);
  process.stderr.write(`normalize: ${records} records, of which ${unparsed} unparsed; ${headers} header lines\n`);
  if (records > 0 && unparsed === records) {
    process.stderr.write(
      `normalize: no record could be parsed. Give the flow log's layout with --format (aws ec2 describe-flow-logs --query 'FlowLogs[].LogFormat'), or start the input with its header line; compressed input other than gzip must be decompressed first.\n`,
    );
    return 3;
  }
  return 0;
}

/** Where the detectors place a record: its log event's time when the input has one, else its flow start. */
function timeOf(alert: Alert, eventTime: number | undefined): number {
  if (eventTime !== undefined) return eventTime;
  return alert.start === null ? Number.NaN : alert.start * 1000;
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // A closed pipe (`| head`) is a normal way to stop reading.
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`normalize: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
