/**
 * One measured read of an S3 flow-log object, in a process of its own (so its peak RSS is the
 * reader's): `tsx bench/s3-read.ts BUCKET KEY null|queue [QUEUE_URL]`. Prints one JSON line.
 * Endpoints come from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_SQS (the local emulator).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3ObjectStore } from '../lambda/adapters/s3-object-store';
import { SqsPublisher } from '../lambda/adapters/sqs-publisher';
import type { AlertPublisher } from '../lambda/app/ports';
import { sendObject } from '../lambda/app/send-object';

async function main(): Promise<void> {
  const [bucket, key, sink, queueUrl] = process.argv.slice(2) as [string, string, string, string | undefined];
  const s3 = new S3Client({ forcePathStyle: true });
  // `null`: every message counts as sent, to measure reading, parsing and bodies alone.
  const discard: AlertPublisher = { publish: async (messages) => ({ sent: messages.map((m) => m.id), failed: [] }) };
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false, maxAttempts: 1 });
  const publisher = sink === 'queue' && queueUrl !== undefined ? new SqsPublisher(sqs, { queueUrl, fifo: false, maxBatchBytes: 262_144 }) : discard;
  const started = process.hrtime.bigint();
  const stats = await sendObject(bucket, key, { store: new S3ObjectStore(s3), publisher, maxMessageBytes: 262_144 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ records: stats.records, alertsSent: stats.alertsSent, outcome: stats.outcome, seconds, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  s3.destroy();
  sqs.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
