/**
 * The README's monthly cost estimate, computed from stated unit prices and a stated model of one
 * poll-mode stack with one log group. `npx tsx scripts/cost-estimate.ts` prints the table;
 * `npm run gen:docs` writes it into the README; test/cost-estimate.test.ts fails when they drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** On-demand list prices, us-east-1, as published on 2026-11-25 (no free tier counted). */
export const UNIT_PRICES = {
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  customMetricMonth: 0.3,
  alarmMonth: 0.1,
  dashboardMonth: 3,
  logsIngestedGb: 0.5,
  kmsKeyMonth: 1,
} as const;

/** What a run costs in time and space, from `npm run bench` (latency model) and the code. */
export const MODEL = {
  runsPerMonth: 12 * 730,
  memoryGb: 0.5,
  /** A run with nothing to send: one page read, four checkpoint calls, start-up. */
  runFixedSeconds: 0.6,
  /** Per alert at 32 sends in flight: 5,000 alerts took 0.65 s under the latency model. */
  alertSeconds: 0.65 / 5000,
  /** Events the seen-set remembers: those of one lookback plus the one-minute margin (16 minutes). */
  seenWindowMinutes: 16,
  seenEntryBytes: 12,
  checkpointItemBaseKb: 0.5,
  /** DynamoDB keeps a seen-set up to this size in the checkpoint item; larger ones go to chunk items. */
  inlineSeenKb: 350,
  /** A consumer long-polling with 20-second waits: empty receives a month. */
  consumerEmptyReceives: 3 * 60 * 730,
  /** Custom metrics (EMF) per log group, alarms and dashboards of the stack with one log group. */
  metricsPerGroup: 14,
  alarms: 9,
  dashboards: 1,
  /** Function log bytes a run writes (a summary line and the EMF metrics line). */
  logBytesPerRun: 2048,
  /** alarmEmail's topic key. */
  kmsKeys: 1,
  /** Runs capped at the default maxEventsPerRun (5,000) send at most this many alerts a month. */
  defaultMaxEventsPerRun: 5000,
} as const;

/** The three volumes the README shows: rejected flows a month. */
export const VOLUMES = [10_000, 1_000_000, 100_000_000] as const;

/** Monthly cost of each part, US dollars. */
export interface Estimate {
  readonly volume: number;
  readonly lambda: number;
  readonly sqs: number;
  readonly dynamodb: number;
  readonly cloudwatch: number;
  readonly kms: number;
  readonly total: number;
  /** The maxEventsPerRun the volume needs (above the default, runs would fall behind). */
  readonly maxEventsPerRun: number;
}

/** The monthly cost of one poll-mode stack (one log group, `alarmEmail` set) at `volume` rejected flows a month. */
export function estimate(volume: number, prices = UNIT_PRICES, m = MODEL): Estimate {
  const perRun = volume / m.runsPerMonth;
  const maxEventsPerRun = Math.max(m.defaultMaxEventsPerRun, Math.ceil(perRun / 1000) * 1000);
  const lambda = m.memoryGb * (m.runsPerMonth * m.runFixedSeconds + volume * m.alertSeconds) * prices.lambdaArmGbSecond + m.runsPerMonth * prices.lambdaRequest;
  // Sends, receives and deletes, ten small alerts a request; plus the consumer's empty long polls.
  const sqs = (3 * Math.ceil(volume / 10) + m.consumerEmptyReceives) * prices.sqsRequest;
  const seenKb = (volume / ((30 * 24 * 60) / m.seenWindowMinutes)) * m.seenEntryBytes / 1024;
  const chunked = seenKb > m.inlineSeenKb;
  const itemKb = m.checkpointItemBaseKb + (chunked ? 0 : seenKb);
  // Lease, save and release write the whole item; chunked seen-sets are written and read beside it.
  const writeUnits = 3 * Math.ceil(itemKb) + (chunked ? Math.ceil(seenKb) : 0);
  const readUnits = Math.ceil(itemKb / 4) + (chunked ? Math.ceil(seenKb / 4) : 0);
  const dynamodb = m.runsPerMonth * (writeUnits * prices.dynamoWriteUnit + readUnits * prices.dynamoReadUnit);
  const cloudwatch = m.metricsPerGroup * prices.customMetricMonth + m.alarms * prices.alarmMonth + m.dashboards * prices.dashboardMonth
    + (m.runsPerMonth * m.logBytesPerRun / 1024 ** 3) * prices.logsIngestedGb;
  const kms = m.kmsKeys * prices.kmsKeyMonth;
  return { volume, lambda, sqs, dynamodb, cloudwatch, kms, total: lambda + sqs + dynamodb + cloudwatch + kms, maxEventsPerRun };
}

const usd = (value: number): string => (value < 0.01 ? '< $0.01' : `$${value.toFixed(2)}`);

/** The README table. */
export function renderCostTable(): string {
  const rows = VOLUMES.map((v) => {
    const e = estimate(v);
    const note = e.maxEventsPerRun > MODEL.defaultMaxEventsPerRun ? ` (needs \`maxEventsPerRun\` ${e.maxEventsPerRun.toLocaleString('en-US')}, or push mode)` : '';
    return `| ${v.toLocaleString('en-US')}${note} | ${usd(e.lambda)} | ${usd(e.sqs)} | ${usd(e.dynamodb)} | ${usd(e.cloudwatch)} | ${usd(e.kms)} | **${usd(e.total)}** |`;
  });
  return ['| Rejected flows a month | Lambda | SQS | DynamoDB | CloudWatch (metrics, alarms, dashboard, logs) | KMS | Total |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

export const COST_BEGIN = '<!-- BEGIN GENERATED COST ESTIMATE (npm run gen:docs) -->';
export const COST_END = '<!-- END GENERATED COST ESTIMATE -->';

/** The README with its cost table replaced by the current one. */
export function withCostTable(readme: string): string {
  const start = readme.indexOf(COST_BEGIN);
  const stop = readme.indexOf(COST_END);
  if (start === -1 || stop === -1) throw new Error('README.md lacks the cost estimate markers');
  return `${readme.slice(0, start + COST_BEGIN.length)}\n${renderCostTable()}\n${readme.slice(stop)}`;
}

if (require.main === module) {
  const readme = join(__dirname, '..', 'README.md');
  if (process.argv.includes('--write')) writeFileSync(readme, withCostTable(readFileSync(readme, 'utf8')));
  process.stdout.write(`${renderCostTable()}\n`);
}
