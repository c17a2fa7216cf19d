/**
 * `npm run --silent replay -- --log-group NAME --start ISO8601 --end ISO8601 --queue-url URL
 *   [--format LOGFORMAT] [--filter-pattern P] [--quarantine-queue-url URL]`
 *
 * Sends one log group's time range to the alert queue through the poller's own path: FilterLogEvents
 * paced as the poller paces it, the same bodies, `alert_id`s and FIFO ids. For ranges the poller did
 * not read (a `CatchUpGaps` ERROR log gives the range) or a backfill. Credentials come from the
 * default AWS chain; `AWS_ENDPOINT_URL_*` variables are honoured. Progress goes to stderr, a JSON
 * summary to stdout. Exit 0 when every record was sent, 1 when some were not (the reason is on
 * stderr), 2 for a bad argument (named).
 */
import { parseArgs } from 'node:util';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchLogSource } from '../adapters/cloudwatch-log-source';
import { RateLimiter } from '../adapters/rate-limiter';
import { SQS_MAX_BYTES, SqsPublisher } from '../adapters/sqs-publisher';
import { DEFAULT_FILTER_PATTERN, LOG_GROUP_NAME, SETTINGS, SQS_QUEUE_URL } from '../settings/settings-table';
import type { ReplayProgress } from '../app/replay-range';
import { replayRange } from '../app/replay-range';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../adapters/s3-object-store';
import { replayObjects } from '../app/replay-objects';
import { LogFormatError } from '../core/errors';
import type { CompiledFormat } from '../core/log-format';
import { compileFormat } from '../core/log-format';
import type { ClassifyOptions } from '../core/normalize';
import { CLASSIFY_OPTIONS, CLASSIFY_USAGE, readClassifyOptions } from './classify-options';
import type { FindingSettings } from '../core/finding';
import { FINDING_OPTIONS, FINDING_USAGE, readFindingOptions } from './finding-options';
import type { OutputFormat } from '../core/contract-version';
import { OUTPUT_OPTIONS, OUTPUT_USAGE, readOutputFormat } from './output-options';

const USAGE = `usage: npm run --silent replay -- (--log-group NAME | --s3 s3://BUCKET/PREFIX) --start ISO8601 --end ISO8601 --queue-url URL
         [--format LOGFORMAT] [--filter-pattern PATTERN] [--quarantine-queue-url URL]
         [--severity-profile P] [--internal-cidrs L] [--severity-rules FILE]
         [--alert-mode M] [--scan-port-threshold N] [--sweep-host-threshold N] [--finding-window-minutes N] [--allowlist L]
         [--output-format F]

  --log-group NAME             the flow-log group to read
  --s3 s3://BUCKET/PREFIX      or: flow-log objects in S3 (.log.gz, .parquet) under PREFIX whose date path and
                               file time fall in the range (a prefix ending at .../vpcflowlogs/<region>/ lists
                               only the range's days), taken in file-time order; every object names its own
                               fields and holds every record, so --format and --filter-pattern do not apply
  --start, --end ISO8601       the time range of the records' own timestamps, inclusive (2026-11-25T10:00:00Z)
  --queue-url URL              the alert queue (a .fifo queue gets MessageGroupId and MessageDeduplicationId)
  --format LOGFORMAT           the flow log's LogFormat (default: the version 2 layout)
  --filter-pattern PATTERN     CloudWatch Logs filter pattern (default: "${DEFAULT_FILTER_PATTERN}"; "" reads everything)
  --quarantine-queue-url URL   where records the queue refuses in every form go (default: reported as failed)
${CLASSIFY_USAGE}
${FINDING_USAGE.replace('written', 'sent')}
${OUTPUT_USAGE}

example: npm run --silent replay -- --log-group /aws/vpc/flowlogs --start 2026-11-24T00:00:00Z \\
           --end 2026-11-24T06:00:00Z --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/alerts`;

interface ReplayArgs {
  readonly logGroup: string;
  readonly start: number;
  readonly end: number;
  readonly queueUrl: string;
  readonly quarantineQueueUrl?: string;
  readonly format: CompiledFormat;
  readonly filterPattern: string;
  readonly classify: ClassifyOptions;
  readonly findings: FindingSettings;
  readonly outputFormat: OutputFormat;
  /** `--s3 s3://bucket/prefix`: replay flow-log objects instead of a log group. */
  readonly s3?: { readonly bucket: string; readonly prefix: string };
}

/** The arguments, or the message naming what is wrong (`''` for --help). */
export function readArgs(argv: readonly string[]): ReplayArgs | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'log-group': { type: 'string' }, s3: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, 'queue-url': { type: 'string' },
        format: { type: 'string' }, 'filter-pattern': { type: 'string' }, 'quarantine-queue-url': { type: 'string' }, help: { type: 'boolean', short: 'h' },
        ...CLASSIFY_OPTIONS,
        ...FINDING_OPTIONS,
        ...OUTPUT_OPTIONS,
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help === true) return '';
  const problems: string[] = [];
  const logGroup = values['log-group'] ?? '';
  const s3 = values.s3 === undefined ? undefined : /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/.exec(values.s3);
  if (values.s3 !== undefined && values['log-group'] !== undefined) problems.push('give --log-group or --s3, not both');
  else if (values.s3 !== undefined && (s3 === null || s3 === undefined)) problems.push(`--s3 "${values.s3}" is not s3://<bucket>/<prefix> (the prefix may be empty)`);
  else if (values.s3 === undefined && !LOG_GROUP_NAME.test(logGroup)) problems.push(`--log-group "${logGroup}" is not a log group name (1-512 of a-z A-Z 0-9 _ - / . #)`);
  const time = (flag: '--start' | '--end', raw: string | undefined): number => {
    const ms = raw === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(raw) ? Number.NaN : Date.parse(raw);
    if (Number.isNaN(ms)) problems.push(`${flag} "${raw ?? ''}" is not an ISO-8601 time such as 2026-11-25T10:00:00Z`);
    return ms;
  };
  const start = time('--start', values.start);
  const end = time('--end', values.end);
  if (!Number.isNaN(start) && !Number.isNaN(end) && end < start) problems.push(`--end ${values.end} is before --start ${values.start}`);
  const queueUrl = values['queue-url'] ?? '';
  if (!SQS_QUEUE_URL.test(queueUrl)) problems.push(`--queue-url "${queueUrl}" is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)`);
  const quarantineQueueUrl = values['quarantine-queue-url'];
  if (quarantineQueueUrl !== undefined && !SQS_QUEUE_URL.test(quarantineQueueUrl)) problems.push(`--quarantine-queue-url "${quarantineQueueUrl}" is not an SQS queue URL`);
  if (values.s3 !== undefined) {
    for (const flag of ['format', 'filter-pattern'] as const) {
      if (values[flag] !== undefined) problems.push(`--${flag} does not apply to --s3 (each object's header or schema names its fields, and every record is read): leave it out`);
    }
  }
  let format = compileFormat();
  if (values.format !== undefined) {
    try {
      if (values.format.trim() === '') throw new LogFormatError('is empty; leave --format out for the version 2 layout');
      format = compileFormat(values.format);
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      problems.push(`--format ${error.message}`);
    }
  }
  const classify = readClassifyOptions(values);
  if (typeof classify === 'string') problems.push(classify.replace(/^vpc-flow-alerts: invalid settings:\n\s*/, ''));
  const findings = readFindingOptions(values);
  if (typeof findings === 'string') problems.push(findings.replace(/^vpc-flow-alerts: invalid settings:\n\s*/, ''));
  const outputFormat = readOutputFormat(values['output-format']);
  const knownFormat = outputFormat === 'native' || outputFormat === 'ocsf';
  if (!knownFormat) problems.push(outputFormat.replace(/^vpc-flow-alerts: invalid settings:\n\s*/, ''));
  if (problems.length > 0 || typeof classify === 'string' || typeof findings === 'string' || !knownFormat) return problems.join('\n');
  return {
    classify, findings, outputFormat, logGroup, start, end, queueUrl, format,
    ...(s3 !== null && s3 !== undefined && { s3: { bucket: s3[1] as string, prefix: s3[2] as string } }), filterPattern: values['filter-pattern'] ?? DEFAULT_FILTER_PATTERN,
    ...(quarantineQueueUrl !== undefined && { quarantineQueueUrl }),
  };
}

async function main(): Promise<number> {
  const args = readArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(args === '' ? `${USAGE}\n` : `replay: ${args.replace(/\n/g, '\nreplay: ')}\n\n${USAGE}\n`);
    return args === '' ? 0 : 2;
  }
  // One retry layer, as in the Lambda: the reader and the publisher retry; the SDK clients do not.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: process.env['AWS_ENDPOINT_URL_SQS'] === undefined, maxAttempts: 1 });
  const logs = new CloudWatchLogsClient({ maxAttempts: 1 });
  const started = Date.now();
  if (args.s3 !== undefined) return replayS3(args, args.s3, sqs, started).finally(() => {
    sqs.destroy();
    logs.destroy();
  });
  const rate = (p: Readonly<ReplayProgress>): string => `${Math.round(p.records / Math.max(0.001, (Date.now() - started) / 1000)).toLocaleString('en-US')} records/s`;
  try {
    const outcome = await replayRange(
      { name: args.logGroup, format: args.format, filterPattern: args.filterPattern, classify: args.classify, findings: args.findings },
      { start: args.start, end: args.end },
      {
        source: new CloudWatchLogSource(logs, { limiter: new RateLimiter(SETTINGS.filterRequestsPerSecond.default) }),
        publisher: new SqsPublisher(sqs, { queueUrl: args.queueUrl, fifo: args.queueUrl.endsWith('.fifo'), maxBatchBytes: SETTINGS.maxMessageBytes.default }),
        ...(args.quarantineQueueUrl !== undefined && { quarantine: new SqsPublisher(sqs, { queueUrl: args.quarantineQueueUrl, fifo: false, maxBatchBytes: SQS_MAX_BYTES }) }),
        maxMessageBytes: SETTINGS.maxMessageBytes.default,
        outputFormat: args.outputFormat,
      },
      (p) => process.stderr.write(`replay: page ${p.pages}: ${p.records.toLocaleString('en-US')} records, ${p.alertsSent.toLocaleString('en-US')} alerts sent, ${p.failed} failed, ${rate(p)}\n`),
    );
    const p = outcome.progress;
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ logGroup: args.logGroup, start: new Date(args.start).toISOString(), end: new Date(args.end).toISOString(), ...p, seconds })}\n`);
    process.stderr.write(
      `replay: ${p.records.toLocaleString('en-US')} records in ${p.pages} pages, ${p.alertsSent.toLocaleString('en-US')} alerts sent, ${findingCount(p)}${p.headersSkipped} header lines, ${p.quarantined} quarantined, ${p.failed} failed, ${p.throttles} throttles, ${seconds.toFixed(1)} s\n`,
    );
    if (outcome.kind === 'read-failed') {
      process.stderr.write(`replay: stopped: ${outcome.reason}\n`);
      return 1;
    }
    if (p.failed > 0) {
      process.stderr.write(`replay: ${p.failed} records were not sent; run the same command again (repeats carry the same alert_id):\n  ${p.failureReasons.join('\n  ')}\n`);
      return 1;
    }
    return 0;
  } finally {
    sqs.destroy();
    logs.destroy();
  }
}

/** `--s3`: the objects of the range through the S3 source's path, with progress and a summary. */
async function replayS3(args: ReplayArgs, s3: { readonly bucket: string; readonly prefix: string }, sqs: SQSClient, started: number): Promise<number> {
  const client = new S3Client({ ...(process.env['AWS_ENDPOINT_URL_S3'] !== undefined && { forcePathStyle: true }) });
  try {
    const progress = await replayObjects(s3.bucket, s3.prefix, { start: args.start, end: args.end }, {
      store: new S3ObjectStore(client),
      publisher: new SqsPublisher(sqs, { queueUrl: args.queueUrl, fifo: args.queueUrl.endsWith('.fifo'), maxBatchBytes: SETTINGS.maxMessageBytes.default }),
      ...(args.quarantineQueueUrl !== undefined && { quarantine: new SqsPublisher(sqs, { queueUrl: args.quarantineQueueUrl, fifo: false, maxBatchBytes: SQS_MAX_BYTES }) }),
      maxMessageBytes: SETTINGS.maxMessageBytes.default,
      classify: args.classify,
      outputFormat: args.outputFormat,
      findings: args.findings,
    }, (key, _stats, p) => process.stderr.write(`replay: ${p.objects} objects, ${p.records.toLocaleString('en-US')} records, ${p.alertsSent.toLocaleString('en-US')} alerts sent, ${p.failed} failed; last s3://${s3.bucket}/${key}\n`));
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ s3: `s3://${s3.bucket}/${s3.prefix}`, start: new Date(args.start).toISOString(), end: new Date(args.end).toISOString(), ...progress, seconds })}\n`);
    process.stderr.write(`replay: ${progress.objects} objects (${progress.ignored} other keys skipped, ${progress.corrupt} corrupt), ${progress.records.toLocaleString('en-US')} records, ${progress.alertsSent.toLocaleString('en-US')} alerts sent, ${findingCount(progress)}${progress.quarantined} quarantined, ${progress.failed} failed, ${seconds.toFixed(1)} s\n`);
    if (progress.failed > 0) {
      process.stderr.write(`replay: some records were not sent; run the same command again (repeats carry the same alert_id):\n  ${progress.failureReasons.join('\n  ')}\n`);
      return 1;
    }
    return 0;
  } finally {
    client.destroy();
  }
}

function findingCount(p: Readonly<Pick<ReplayProgress, 'held' | 'findingsSent'>>): string {
  const sent = Object.values(p.findingsSent).reduce((a, b) => a + b, 0);
  return p.held === 0 && sent === 0 ? '' : `${sent} findings sent, ${p.held.toLocaleString('en-US')} flows held in findings, `;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`replay: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
