/**
 * `npm run demo -- --source s3`: the S3 source end to end on this machine. Writes the bundled
 * samples' default-layout records as a `.log.gz` object (with its header line) and as a Parquet
 * object in a local bucket (fauxqs), puts the EventBridge "Object Created" notifications AWS would
 * send on the notification queue, runs the real handler on what that queue delivers, and shows what
 * reached the alert queue; then delivers the notifications again, as SQS may, to show the repeats
 * carry the same alert_ids.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { flowLogParquet } from '../local/flow-log-parquet';
import { S3ObjectStore } from '../lambda/adapters/s3-object-store';
import { SqsPublisher } from '../lambda/adapters/sqs-publisher';
import { createObjectHandler } from '../lambda/handlers/s3-handler';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../lambda/settings/metric-names';
import { quarantineUrlFor } from '../local/local-aws';
import { localS3, startLocalSqs } from '../local/local-sqs';
import type { SampleEvent } from './make-samples';
import { DEFAULT_GROUP } from './make-samples';

const BUCKET = 'demo-flow-logs';
const PREFIX = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/25/';
const FIELDS = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'];

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** Runs the S3 demo; resolves to the exit status. */
export async function runS3Demo(): Promise<number> {
  const sqs = await startLocalSqs();
  try {
    out('vpc-flow-alerts demo, S3 source: the real handler against local S3 and SQS (fauxqs) on 127.0.0.1');
    const samples = readFileSync(join(__dirname, '..', 'samples', 'flow-events.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as SampleEvent);
    // The default group's well-formed v2 records, as a flow log delivers them to S3.
    const lines = samples.filter((s) => s.logGroup === DEFAULT_GROUP).map((s) => s.message).filter((m) => m.split(' ').length === FIELDS.length);
    const s3 = await localS3(sqs, BUCKET);
    const text = `${PREFIX}123456789012_vpcflowlogs_us-east-1_fl-0demo_20261125T1230Z_a1b2c3d4.log.gz`;
    const parquet = `${PREFIX}123456789012_vpcflowlogs_us-east-1_fl-0demo_20261125T1230Z_a1b2c3d4.log.parquet`;
    const rows = lines.map((l) => l.split(' '));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: text, Body: gzipSync(`${FIELDS.join(' ')}\n${lines.join('\n')}\n`) }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: parquet, Body: flowLogParquet(FIELDS, rows) }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}manifest.json`, Body: '{}' }));
    out(`  wrote s3://${BUCKET}/${text} (${lines.length} records, gzip text with its header line)`);
    out(`  wrote the same records as s3://${BUCKET}/${parquet}, and a manifest that is not a flow log`);

    const notifications = await sqs.createQueue('demo-s3-notifications');
    const alerts = await sqs.createQueue('demo-s3-alerts');
    const handler = createObjectHandler({
      logger: new Logger({ serviceName: METRIC_SERVICE }),
      metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
      now: Date.now, bucket: BUCKET, prefix: 'AWSLogs/', store: new S3ObjectStore(s3),
      publisher: new SqsPublisher(sqs.client, { queueUrl: alerts, fifo: false, maxBatchBytes: 262_144 }),
      quarantine: new SqsPublisher(sqs.client, { queueUrl: quarantineUrlFor(alerts), fifo: false, maxBatchBytes: 1_048_576 }),
      maxMessageBytes: 262_144,
    });
    const deliver = async (): Promise<Array<Record<string, unknown>>> => {
      for (const key of [text, parquet, `${PREFIX}manifest.json`]) {
        const event = { version: '0', source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: BUCKET }, object: { key } } };
        await sqs.client.send(new SendMessageCommand({ QueueUrl: notifications, MessageBody: JSON.stringify(event) }));
      }
      const { Messages = [] } = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: notifications, MaxNumberOfMessages: 10 }));
      const result = await handler({ Records: Messages.map((m) => ({ messageId: m.MessageId, body: m.Body })) } as unknown as SQSEvent);
      out(`  the handler took ${Messages.length} notifications; batch item failures: ${result.batchItemFailures.length}`);
      return (await sqs.drain(alerts)).map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>);
    };
    const first = await deliver();
    const place = (a: Record<string, unknown>) => (a['raw_event'] as { s3: { key: string; line?: number; row?: number } }).s3;
    // Line 1 of the text object is its header: line n + 1 is row n.
    const fromText = first.filter((a) => place(a).key === text).sort((a, b) => (place(a).line ?? 0) - (place(b).line ?? 0));
    const fromParquet = first.filter((a) => place(a).key === parquet).sort((a, b) => (place(a).row ?? 0) - (place(b).row ?? 0));
    out();
    out(`Alerts the pipeline received: ${first.length} (${fromText.length} from the .log.gz, ${fromParquet.length} from the Parquet object; the manifest was skipped)`);
    const same = fromText.every((a, i) => JSON.stringify({ ...a, alert_id: 0, raw_event: 0 }) === JSON.stringify({ ...fromParquet[i], alert_id: 0, raw_event: 0 }));
    out(`  the two objects' alerts are the same but for where they came from: ${same ? 'yes' : 'NO'}`);
    const again = await deliver();
    const ids = (list: Array<Record<string, unknown>>) => list.map((a) => String(a['alert_id'])).sort().join('\n');
    out(`  delivered again (as SQS may): ${again.length} alerts, the same alert_ids: ${ids(again) === ids(first) ? 'yes' : 'NO'}`);
    out();
    out('The first alert, as the queue holds it:');
    out(JSON.stringify(fromText[0], null, 2));
    s3.destroy();
    return same && ids(again) === ids(first) ? 0 : 1;
  } finally {
    await sqs.stop();
  }
}
