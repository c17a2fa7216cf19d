/**
 * The S3 source's handler against fauxqs (S3 and SQS): SQS batches of EventBridge events and S3
 * event notifications, with partial batch responses.
 */
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { S3ObjectStore } from '../../lambda/adapters/s3-object-store';
import { SqsPublisher } from '../../lambda/adapters/sqs-publisher';
import type { ObjectStore } from '../../lambda/app/ports';
import { createObjectHandler } from '../../lambda/handlers/s3-handler';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../../lambda/settings/metric-names';
import { quarantineUrlFor } from '../../local/local-aws';
import type { LocalSqs } from '../../local/local-sqs';
import { localS3, startLocalSqs } from '../../local/local-sqs';

jest.setTimeout(60_000);

const BUCKET = 'central-log-archive';
const PREFIX = 'AWSLogs/123456789012/vpcflowlogs/';
const KEY = `${PREFIX}us-east-1/2026/11/25/123456789012_vpcflowlogs_us-east-1_fl-1_20261125T0000Z_abc 1.log.gz`;
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE = (i: number) => `2 123456789012 eni-1 198.51.100.${i} 10.0.0.${i} 40000 22 6 1 44 1795608000 1795608030 REJECT OK`;

let sqs: LocalSqs;
let s3: S3Client;
beforeAll(async () => {
  sqs = await startLocalSqs();
  s3 = await localS3(sqs, BUCKET);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: gzipSync(`${HEADER}\n${[1, 2, 3].map(LINE).join('\n')}\n`) }));
});
afterAll(async () => {
  s3.destroy();
  await sqs.stop();
});

function handlerFor(queueUrl: string, store: ObjectStore = new S3ObjectStore(s3)) {
  return createObjectHandler({
    logger: new Logger({ serviceName: METRIC_SERVICE }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
    now: Date.now, bucket: BUCKET, prefix: PREFIX, store,
    publisher: new SqsPublisher(sqs.client, { queueUrl, fifo: false, maxBatchBytes: 262_144, sleep: async () => {} }),
    quarantine: new SqsPublisher(sqs.client, { queueUrl: quarantineUrlFor(queueUrl), fifo: false, maxBatchBytes: 1_048_576, sleep: async () => {} }),
    maxMessageBytes: 262_144,
  });
}

const batch = (...bodies: unknown[]): SQSEvent => ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body: typeof body === 'string' ? body : JSON.stringify(body) })) } as unknown as SQSEvent);
const eventBridge = (bucket: string, key: string) => ({ version: '0', source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: bucket }, object: { key } } });
const notification = (bucket: string, key: string) => ({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+') } } }] });

describe('the S3 source handler', () => {
  it('reads the objects EventBridge events and S3 notifications name, with the same alert_ids either way', async () => {
    const queueUrl = await sqs.createQueue('s3-handler-1');
    const handler = handlerFor(queueUrl);
    expect(await handler(batch(eventBridge(BUCKET, KEY)))).toEqual({ batchItemFailures: [] });
    const viaEventBridge = (await sqs.drain(queueUrl)).map((m) => (JSON.parse(m.Body ?? '') as { alert_id: string }).alert_id).sort();
    expect(await handler(batch(notification(BUCKET, KEY)))).toEqual({ batchItemFailures: [] });
    const viaNotification = (await sqs.drain(queueUrl)).map((m) => (JSON.parse(m.Body ?? '') as { alert_id: string }).alert_id).sort();
    expect(viaEventBridge).toHaveLength(3);
    expect(viaNotification).toEqual(viaEventBridge);
  });

  it('acknowledges what it must not or cannot read, and reports the message whose object S3 failed to give', async () => {
    const queueUrl = await sqs.createQueue('s3-handler-2');
    const failing: ObjectStore = {
      head: async (bucket, key) => {
        if (key.endsWith('flaky.log.gz')) throw Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: {} });
        return new S3ObjectStore(s3).head(bucket, key);
      },
      stream: (bucket, key) => new S3ObjectStore(s3).stream(bucket, key),
      range: (bucket, key, start, end) => new S3ObjectStore(s3).range(bucket, key, start, end),
      list: (bucket, prefix, next) => new S3ObjectStore(s3).list(bucket, prefix, next),
    };
    const result = await handlerFor(queueUrl, failing)(batch(
      eventBridge('someone-elses-bucket', KEY),
      eventBridge(BUCKET, 'other/prefix/x.log.gz'),
      'not json',
      { Event: 's3:TestEvent' },
      eventBridge(BUCKET, `${PREFIX}gone.log.gz`),
      eventBridge(BUCKET, `${PREFIX}flaky.log.gz`),
      eventBridge(BUCKET, `${PREFIX}manifest.json`),
      eventBridge(BUCKET, KEY),
    ));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm5' }] });
    expect(await sqs.drain(queueUrl)).toHaveLength(3);
  });
});

describe('an invocation running out of time', () => {
  it('hands the rest of the object in hand, and every object not started, to continuation messages that read them to their end', async () => {
    const queueUrl = await sqs.createQueue('s3-handler-continued');
    const notifications = await sqs.createQueue('s3-handler-notifications');
    const big = `${PREFIX}us-east-1/2026/11/25/123456789012_vpcflowlogs_us-east-1_fl-2_20261125T0005Z_big.log.gz`;
    const small = `${PREFIX}us-east-1/2026/11/25/123456789012_vpcflowlogs_us-east-1_fl-3_20261125T0005Z_small.log.gz`;
    // Random addresses and ports: enough gzip that the reader stops while the body is still being fed.
    const octet = (): number => Math.floor(Math.random() * 256);
    const random = (): string => `2 123456789012 eni-1 198.${octet()}.${octet()}.${octet()} 10.${octet()}.${octet()}.${octet()} ${1024 + Math.floor(Math.random() * 60000)} 22 6 1 44 1795608000 1795608030 REJECT OK`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: big, Body: gzipSync(`${HEADER}\n${Array.from({ length: 6000 }, random).join('\n')}\n`) }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: small, Body: gzipSync(`${HEADER}\n${[7, 8].map(LINE).join('\n')}\n`) }));
    const handler = createObjectHandler({
      logger: new Logger({ serviceName: METRIC_SERVICE }),
      metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
      now: Date.now, bucket: BUCKET, prefix: PREFIX, store: new S3ObjectStore(s3),
      publisher: new SqsPublisher(sqs.client, { queueUrl, fifo: false, maxBatchBytes: 262_144, sleep: async () => {} }),
      quarantine: new SqsPublisher(sqs.client, { queueUrl: quarantineUrlFor(queueUrl), fifo: false, maxBatchBytes: 1_048_576, sleep: async () => {} }),
      continuation: new SqsPublisher(sqs.client, { queueUrl: notifications, fifo: false, maxBatchBytes: 262_144, sleep: async () => {} }),
      maxMessageBytes: 262_144,
    });
    // Two minutes left until the first batch of the big object is sent, then 10 seconds (under the 30-second reserve).
    let calls = 0;
    const shortOfTime = { getRemainingTimeInMillis: () => (++calls <= 2 ? 120_000 : 10_000) };
    expect(await handler(batch(eventBridge(BUCKET, big), eventBridge(BUCKET, small)), shortOfTime)).toEqual({ batchItemFailures: [] });
    const first = (await sqs.drain(queueUrl)).map((m) => (JSON.parse(m.Body ?? '') as { raw_event: { s3: { line: number } } }).raw_event.s3.line);
    expect(first).toHaveLength(2500);
    const continued = await sqs.drain(notifications);
    expect(continued.map((m) => JSON.parse(m.Body ?? ''))).toEqual([
      { vpcFlowAlerts: 'continue-object', bucket: BUCKET, key: big, from: 2502 },
      { vpcFlowAlerts: 'continue-object', bucket: BUCKET, key: small, from: 1 },
    ]);
    // The continuations, in an invocation with time enough: every line once, none skipped.
    expect(await handler(batch(...continued.map((m) => m.Body ?? '')), { getRemainingTimeInMillis: () => 600_000 })).toEqual({ batchItemFailures: [] });
    const rest = (await sqs.drain(queueUrl)).map((m) => JSON.parse(m.Body ?? '') as { raw_event: { s3: { key: string; line: number } } });
    const bigLines = [...first, ...rest.filter((a) => a.raw_event.s3.key === big).map((a) => a.raw_event.s3.line)].sort((a, b) => a - b);
    expect(bigLines).toEqual(Array.from({ length: 6000 }, (_, i) => i + 2));
    expect(rest.filter((a) => a.raw_event.s3.key === small).map((a) => a.raw_event.s3.line).sort()).toEqual([2, 3]);
    expect(await sqs.drain(notifications)).toEqual([]);
  });
});
