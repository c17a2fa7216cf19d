/**
 * Peak memory of one push-mode delivery, measured in a process of its own so that nothing else
 * counts toward its peak RSS. Used by `npm run bench` and by test/integration/delivery-memory.test.ts.
 *
 *   tsx bench/delivery-memory.ts make <shape> <file>   writes a delivery (base64 gzip) to <file>
 *   tsx bench/delivery-memory.ts measure <file>        handles it, prints one JSON line
 *   tsx bench/delivery-memory.ts all                   every shape, each in fresh processes, as a table
 *
 * Shapes: `flood-795k` (795,907 events, 72 MiB of JSON), `tiny-1.5m` (1,500,000 empty events),
 * `largest-accepted` (50,000 events of a 23-field layout: at both caps, 16 MiB and 50,000 events).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipCollector } from './gzip-collector';
import type { AlertPublisher, OutboundMessage, PublishResult } from '../lambda/app/ports';
import { receiveDelivery } from '../lambda/app/receive-delivery';
import { compileFormat } from '../lambda/core/log-format';

export const SHAPES = ['flood-795k', 'tiny-1.5m', 'largest-accepted'] as const;
export type Shape = (typeof SHAPES)[number];
export const GROUP = '/aws/vpc/flowlogs';
export const ACCOUNT = '123456789012';

/** The layout of `largest-accepted`: 23 fields, about 220 bytes a line. */
export const WIDE_FORMAT = '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${flow-direction}';

/** One JSON event of the shape, `i`-th. */
function event(shape: Shape, i: number): string {
  if (shape === 'tiny-1.5m') return `{"id":"${i}","timestamp":1,"message":""}`;
  if (shape === 'flood-795k') return `{"id":"${i}","timestamp":1700000000000,"message":"2 1 eni-1 - - ${i % 65536} 22 6 1 40 1 2 REJECT"}`;
  const ip = `198.51.100.${i % 250}`;
  const line = `5 ${ACCOUNT} eni-0a1b2c3d4e5f6a7b8 ${ip} 10.0.0.5 ${1024 + (i % 60000)} 22 6 1 40 1700000000 1700000060 REJECT OK vpc-0123456789abcdef0 subnet-0123456789abcdef0 i-0123456789abcdef0 2 IPv4 ${ip} 10.0.0.5 eu-west-1 ingress`;
  return `{"id":"37${String(i).padStart(54, '0')}","timestamp":${1_700_000_000_000 + i},"message":"${line}"}`;
}

const COUNTS: Record<Shape, number> = { 'flood-795k': 795_907, 'tiny-1.5m': 1_500_000, 'largest-accepted': 50_000 };

/** Streams the delivery's JSON through gzip, so making it needs no more memory than its compressed size. */
async function make(shape: Shape, file: string): Promise<void> {
  const { gzip, bytes } = gzipCollector();
  gzip.write(`{"messageType":"DATA_MESSAGE","owner":"${ACCOUNT}","logGroup":"${GROUP}","logStream":"eni-all","subscriptionFilters":["f"],"logEvents":[`);
  let json = 0;
  let batch: string[] = [];
  const flush = async (): Promise<void> => {
    const text = batch.join('');
    batch = [];
    json += text.length;
    if (!gzip.write(text)) await new Promise((resolve) => gzip.once('drain', resolve));
  };
  for (let i = 0; i < COUNTS[shape]; i++) {
    batch.push(`${i === 0 ? '' : ','}${event(shape, i)}`);
    if (batch.length === 10_000) await flush();
  }
  await flush();
  gzip.end(']}');
  writeFileSync(file, (await bytes).toString('base64'));
  process.stdout.write(`${JSON.stringify({ shape, events: COUNTS[shape], jsonBytes: json })}\n`);
}

/** Counts what it is given, keeps nothing: the measure is the function's own memory. */
class CountingQueue implements AlertPublisher {
  public sent = 0;
  public async publish(messages: readonly OutboundMessage[]): Promise<PublishResult> {
    this.sent += messages.length;
    return { sent: messages.map((m) => m.id), failed: [] };
  }
}

async function measure(file: string): Promise<void> {
  const data = readFileSync(file, 'utf8');
  const before = process.memoryUsage().rss;
  const queue = new CountingQueue();
  const started = process.hrtime.bigint();
  const stats = await receiveDelivery(data, {
    formats: new Map([[GROUP, compileFormat(WIDE_FORMAT)]]), defaultFormat: compileFormat(), publisher: queue, quarantine: queue,
    maxMessageBytes: 262_144, now: () => 1_700_000_000_000,
  }, ACCOUNT, '49650000000000000000000000000000000000000000000000000000');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({
    kind: stats.kind, reason: stats.reason, alertsSent: stats.alertsSent, base64Bytes: data.length, seconds,
    rssBeforeMiB: Math.round(before / 1048576), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`);
}

/** Makes and measures every shape, each step in a process of its own. */
async function all(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'delivery-memory-'));
  const self = (...args: string[]): Record<string, unknown> => {
    const result = spawnSync(process.execPath, [...process.execArgv, __filename, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  };
  process.stdout.write(`push mode, one delivery per process (function memory 512 MiB), node ${process.version}\n`);
  try {
    for (const shape of SHAPES) {
      const file = join(dir, `${shape}.b64`);
      const made = self('make', shape, file);
      const m = self('measure', file);
      process.stdout.write(
        `  ${shape}: ${Number(made['events']).toLocaleString('en-US')} events, ${(Number(made['jsonBytes']) / 1048576).toFixed(1)} MiB of JSON, ${(Number(m['base64Bytes']) / 1048576).toFixed(1)} MiB base64 -> ${String(m['kind'])}, ${Number(m['alertsSent']).toLocaleString('en-US')} alerts, ${Number(m['seconds']).toFixed(2)} s, peak RSS ${String(m['peakRssMiB'])} MiB\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [command, a, b] = process.argv.slice(2);
  const run =
    command === 'make' && SHAPES.includes(a as Shape) && b !== undefined ? make(a as Shape, b)
      : command === 'measure' && a !== undefined ? measure(a)
        : command === 'all' ? all() : undefined;
  if (run === undefined) {
    process.stderr.write(`usage: delivery-memory.ts make <${SHAPES.join('|')}> FILE | measure FILE | all\n`);
    process.exitCode = 2;
  } else {
    run.catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
  }
}
