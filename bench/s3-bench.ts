/**
 * The S3 source: records/s and peak memory reading a flow-log object end to end, for a ~100 MB
 * `.log.gz` and the same records as Parquet, each read in a process of its own from the local
 * S3 (fauxqs): once into a sink that drops the messages (reading, parsing and bodies alone), and
 * once, for a tenth of the records, into the local queue (whose emulator then sets the pace).
 * `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { gzipCollector } from './gzip-collector';
import type { S3Client } from '@aws-sdk/client-s3';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { localS3, startLocalSqs, TEST_CREDENTIALS } from '../local/local-sqs';
import { flowLogParquet } from '../local/flow-log-parquet';

const BUCKET = 'bench-flow-logs';
const PREFIX = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/25/';
const FIELDS = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'];
const TARGET_GZ_BYTES = Number(process.env['BENCH_S3_MB'] ?? 100) * 1_048_576;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Records like a busy VPC's: many sources, a few hundred interfaces, mostly rejected probes. */
function records(count: number): string[][] {
  const random = rng(11);
  const out: string[][] = [];
  for (let i = 0; i < count; i++) {
    const start = 1_795_608_000 + Math.floor(i / 2000);
    out.push(['2', '123456789012', `eni-0a1b2c3d4e5f${(Math.floor(random() * 300)).toString(16).padStart(5, '0')}`,
      `${1 + Math.floor(random() * 222)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
      `10.0.${Math.floor(random() * 4)}.${Math.floor(random() * 256)}`, String(1024 + Math.floor(random() * 64_000)),
      String([22, 23, 80, 443, 445, 3389, 8080][Math.floor(random() * 7)] ?? 22), '6', String(1 + Math.floor(random() * 3)),
      String(40 + Math.floor(random() * 200)), String(start), String(start + 30 + Math.floor(random() * 30)), random() < 0.9 ? 'REJECT' : 'ACCEPT', 'OK']);
  }
  return out;
}

/** One gzip member, as AWS writes it, built 10,000 lines at a time (the whole text is too long for one string). */
async function textOf(rows: readonly string[][]): Promise<Buffer> {
  const { gzip, bytes } = gzipCollector();
  gzip.write(`${FIELDS.join(' ')}\n`);
  for (let i = 0; i < rows.length; i += 10_000) {
    if (!gzip.write(`${rows.slice(i, i + 10_000).map((r) => r.join(' ')).join('\n')}\n`)) await new Promise<void>((resolve) => gzip.once('drain', () => resolve()));
  }
  gzip.end();
  return bytes;
}

/** Uploads in 8 MiB parts, as large objects are (the emulator takes bodies of limited size). */
async function put(s3: S3Client, key: string, body: Uint8Array): Promise<void> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const parts: Array<{ ETag: string; PartNumber: number }> = [];
  const size = 8 * 1_048_576;
  for (let n = 0; n * size < body.length || n === 0; n++) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: n + 1, Body: body.subarray(n * size, (n + 1) * size) }));
    parts.push({ ETag: ETag ?? '', PartNumber: n + 1 });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
}

function measure(env: NodeJS.ProcessEnv, key: string, sink: 'null' | 'queue', queueUrl = ''): Record<string, unknown> {
  const result = spawnSync(join(__dirname, '..', 'node_modules', '.bin', 'tsx'), [join(__dirname, 's3-read.ts'), BUCKET, key, sink, queueUrl], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`s3-read failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const sqs = await startLocalSqs();
  try {
    const s3 = await localS3(sqs, BUCKET);
    // Size the record count to the target compressed size from a sample.
    const perRecord = (await textOf(records(20_000))).length / 20_000;
    const count = Math.round(TARGET_GZ_BYTES / perRecord);
    const rows = records(count);
    const gz = await textOf(rows);
    const parquet = flowLogParquet(FIELDS, rows, { rowGroupSize: 100_000 });
    const tenth = rows.slice(0, Math.round(count / 10));
    const objects: Array<[string, Uint8Array]> = [
      [`${PREFIX}big.log.gz`, gz], [`${PREFIX}big.parquet`, parquet],
      [`${PREFIX}tenth.log.gz`, await textOf(tenth)], [`${PREFIX}tenth.log.parquet`, flowLogParquet(FIELDS, tenth, { rowGroupSize: 100_000 })],
    ];
    for (const [key, body] of objects) await put(s3, key, body);
    s3.destroy();
    const env = {
      ...process.env, NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      // Straight to fauxqs for both: spawnSync blocks this process, where the SQS test proxy runs.
      AWS_ENDPOINT_URL_S3: sqs.s3Endpoint, AWS_ENDPOINT_URL_SQS: sqs.s3Endpoint,
    };
    const mb = (n: number) => (n / 1_048_576).toFixed(1);
    process.stdout.write(`S3 source: ${count.toLocaleString('en-US')} records; .log.gz ${mb(gz.length)} MiB, Parquet (Gzip pages as AWS writes them, 100,000-row groups) ${mb(parquet.length)} MiB\n`);
    for (const [label, key, n] of [['.log.gz', 'big.log.gz', count], ['Parquet', 'big.parquet', count]] as const) {
      const r = measure(env, `${PREFIX}${key}`, 'null');
      process.stdout.write(`  ${label.padEnd(8)} read, parsed, bodies made (messages dropped): ${Math.round(Number(r['records']) / Number(r['seconds'])).toLocaleString('en-US')} records/s, peak RSS ${String(r['peakRssMiB'])} MiB (${Number(r['records']) === n ? 'all' : r['records']} records)\n`);
    }
    for (const [label, key] of [['.log.gz', 'tenth.log.gz'], ['Parquet', 'tenth.log.parquet']] as const) {
      const queueUrl = await sqs.createQueue(`bench-${key.replace(/\./g, '-')}`);
      const r = measure(env, `${PREFIX}${key}`, 'queue', queueUrl);
      process.stdout.write(`  ${label.padEnd(8)} end to end into the local queue, ${Number(r['records']).toLocaleString('en-US')} records: ${Math.round(Number(r['records']) / Number(r['seconds'])).toLocaleString('en-US')} records/s, peak RSS ${String(r['peakRssMiB'])} MiB\n`);
    }
  } finally {
    await sqs.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
