/**
 * Findings in s3 mode: the real S3 source handler, DynamoDB state store and SQS publisher against
 * local endpoints. Flow-log objects (one per interface, as files of several flow logs would be)
 * are notified concurrently and twice; the scheduled closer sends each finding once, under
 * `s3://bucket/prefix`; an object written after its window closed is sent flow by flow.
 */
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { DynamoDbFindingStore } from '../../lambda/adapters/dynamodb-finding-store';
import { S3ObjectStore } from '../../lambda/adapters/s3-object-store';
import { SqsPublisher } from '../../lambda/adapters/sqs-publisher';
import type { ObjectStore } from '../../lambda/app/ports';
import type { FindingAlert } from '../../lambda/core/finding';
import { DEFAULT_FINDING_SETTINGS } from '../../lambda/core/finding';
import { cidrs } from '../../lambda/core/ip-address';
import { createObjectHandler } from '../../lambda/handlers/s3-handler';
import { CLOSE_FINDINGS_EVENT } from '../../lambda/settings/settings-table';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../../lambda/settings/metric-names';
import type { TrafficEvent } from '../../local/flow-traffic';
import { ALLOWLISTED_RANGE, backgroundTraffic, plantedAttacks } from '../../local/flow-traffic';
import type { LocalAws } from '../../local/local-aws';
import { MIN, quarantineUrlFor, REGION, startLocalAws } from '../../local/local-aws';
import { localS3, TEST_CREDENTIALS } from '../../local/local-sqs';
import { flowLogParquet } from '../../local/flow-log-parquet';
import { PARQUET_ROWS_PER_READ } from '../../lambda/app/flow-log-records';
import { parquetMetadata } from 'hyparquet';
import { expectValidAlert } from '../helpers/alert-schema';
import { storeWith } from '../helpers/finding-store';

jest.setTimeout(120_000);

const BUCKET = 'central-log-archive';
const PREFIX = 'AWSLogs/';
const DAY = `${PREFIX}123456789012/vpcflowlogs/us-east-1/2026/11/25/`;
const HOUR = 60 * MIN;
const START = Date.UTC(2026, 10, 25, 12, 0, 0);
const V2_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
let aws: LocalAws;
let s3: S3Client;

beforeAll(async () => {
  aws = await startLocalAws();
  s3 = await localS3(aws.sqs, BUCKET);
});
afterAll(async () => {
  s3.destroy();
  await aws.stop();
});

/** Puts the events as one .log.gz object per interface; resolves to their keys. */
async function putObjects(events: readonly TrafficEvent[], tag: string): Promise<string[]> {
  const byEni = new Map<string, string[]>();
  for (const e of events) {
    const eni = e.message.split(' ')[2] as string;
    byEni.set(eni, [...(byEni.get(eni) ?? []), e.message]);
  }
  const keys: string[] = [];
  for (const [eni, lines] of byEni) {
    const key = `${DAY}123456789012_vpcflowlogs_us-east-1_fl-${eni.slice(4)}_20261125T1230Z_${tag}.log.gz`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipSync(`${V2_HEADER}\n${lines.join('\n')}\n`) }));
    keys.push(key);
  }
  return keys;
}

/** The S3 store, with every object written at `writtenAt` (the emulator stamps the real time). */
function storeWrittenAt(writtenAt: () => number): ObjectStore {
  const real = new S3ObjectStore(s3);
  return {
    head: async (bucket, key) => ({ ...(await real.head(bucket, key)), lastModified: writtenAt() }),
    stream: (bucket, key) => real.stream(bucket, key),
    range: (bucket, key, start, end) => real.range(bucket, key, start, end),
    list: (bucket, prefix, next) => real.list(bucket, prefix, next),
  };
}

const batch = (keys: readonly string[]): SQSEvent => ({
  Records: keys.map((key, i) => ({ messageId: `m${i}`, body: JSON.stringify({ version: '0', source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: BUCKET }, object: { key } } }) })),
} as unknown as SQSEvent);

it('sends every planted attack once, from concurrent and repeated objects, and a late object flow by flow', async () => {
  const queueUrl = await aws.sqs.createQueue('s3-findings');
  await aws.dynamo.createCheckpointTable('s3-findings');
  const clock = { ms: START + 10 * MIN, written: START + 5 * MIN };
  const handler = createObjectHandler({
    logger: new Logger({ serviceName: METRIC_SERVICE }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
    bucket: BUCKET, prefix: PREFIX, store: storeWrittenAt(() => clock.written), now: () => clock.ms,
    publisher: new SqsPublisher(aws.sqs.client, { queueUrl, fifo: false, maxBatchBytes: 262_144, sleep: async () => {} }),
    quarantine: new SqsPublisher(aws.sqs.client, { queueUrl: quarantineUrlFor(queueUrl), fifo: false, maxBatchBytes: 1_048_576, sleep: async () => {} }),
    maxMessageBytes: 262_144,
    findings: {
      settings: { ...DEFAULT_FINDING_SETTINGS, alertMode: 'findings', allowlist: cidrs(ALLOWLISTED_RANGE) },
      store: new DynamoDbFindingStore(new DynamoDBClient({ region: REGION, endpoint: aws.dynamo.endpoint, credentials: TEST_CREDENTIALS }), 's3-findings', () => clock.ms),
      lookbackMs: 15 * MIN,
    },
  });
  const background = backgroundTraffic({ startMs: START, hours: 1, interfaces: 16, probesPerInterfaceHour: 30, sweepersPerHour: 0 });
  const planted = plantedAttacks(START + 10 * MIN, 16);
  const keys = await putObjects([...background, ...planted.events], 'a');
  expect(keys.length).toBeGreaterThan(10);

  // Every object at once, in batches of 3 (state shards written concurrently), then all again (redelivery).
  const batches = Array.from({ length: Math.ceil(keys.length / 3) }, (_, i) => keys.slice(i * 3, i * 3 + 3));
  for (let round = 0; round < 2; round++) {
    const results = await Promise.all(batches.map((b) => handler(batch(b))));
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
  }
  expect(await aws.sqs.drain(queueUrl)).toEqual([]);

  // Not yet: objects may still come for 15 minutes after the window, plus a running invocation.
  clock.ms = START + HOUR + 20 * MIN;
  await handler(CLOSE_FINDINGS_EVENT);
  expect(await aws.sqs.drain(queueUrl)).toEqual([]);

  clock.ms = START + HOUR + 35 * MIN;
  await handler(CLOSE_FINDINGS_EVENT);
  await handler(CLOSE_FINDINGS_EVENT);
  const findings = (await aws.sqs.drain(queueUrl)).map((m) => JSON.parse(m.Body ?? '') as FindingAlert);
  for (const f of findings) expectValidAlert(f);
  expect(new Set(findings.map((f) => f.alert_id)).size).toBe(findings.length);
  expect(new Set(findings.map((f) => f.log_group))).toEqual(new Set([`s3://${BUCKET}/${PREFIX}`]));
  for (const attack of planted.attacks) {
    const found = findings.filter((f) => f.src_ip === attack.src);
    if (attack.expect === null) expect(found).toEqual([]);
    else expect(found.map((f) => f.finding_type)).toContain(attack.expect.type);
  }
  expect(findings.find((f) => f.finding_type === 'port_scan')).toMatchObject({ src_ip: '198.51.100.23', flow_count: 40, distinct_ports: 40, counts_exact: true });
  const summarised = findings.filter((f) => f.finding_type === 'inbound_summary').reduce((n, f) => n + f.flow_count, 0);
  expect(summarised).toBeGreaterThan(background.length * 0.8);

  // An object for the closed window now (a notification redriven from the dead-letter queue): its flows are sent on their own.
  const [lateKey] = await putObjects([planted.events[0] as TrafficEvent], 'late');
  expect((await handler(batch([lateKey as string]))).batchItemFailures).toEqual([]);
  const late = (await aws.sqs.drain(queueUrl)).map((m) => JSON.parse(m.Body ?? '') as { category: string; src_ip: string });
  expect(late).toEqual([expect.objectContaining({ category: 'network', src_ip: '198.51.100.23' })]);
});

it('an object whose finding state cannot be saved is reported for redelivery, and its flows count once', async () => {
  const queueUrl = await aws.sqs.createQueue('s3-findings-fault');
  await aws.dynamo.createCheckpointTable('s3-findings-fault');
  const clock = { ms: START + 10 * MIN };
  const real = new DynamoDbFindingStore(new DynamoDBClient({ region: REGION, endpoint: aws.dynamo.endpoint, credentials: TEST_CREDENTIALS }), 's3-findings-fault', () => clock.ms);
  let refuse = true;
  const handler = createObjectHandler({
    logger: new Logger({ serviceName: METRIC_SERVICE }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
    bucket: BUCKET, prefix: PREFIX, store: storeWrittenAt(() => START + 5 * MIN), now: () => clock.ms,
    publisher: new SqsPublisher(aws.sqs.client, { queueUrl, fifo: false, maxBatchBytes: 262_144, sleep: async () => {} }),
    quarantine: new SqsPublisher(aws.sqs.client, { queueUrl: quarantineUrlFor(queueUrl), fifo: false, maxBatchBytes: 1_048_576, sleep: async () => {} }),
    maxMessageBytes: 262_144,
    findings: {
      settings: { ...DEFAULT_FINDING_SETTINGS, alertMode: 'findings' },
      store: storeWith(real, {
        save: async (group, shard, revision, state) => {
          if (refuse) throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
          return real.save(group, shard, revision, state);
        },
      }),
      lookbackMs: 15 * MIN,
    },
  });
  const planted = plantedAttacks(START + 10 * MIN, 16);
  const scan = planted.events.filter((e) => e.message.includes(' 198.51.100.23 '));
  const [key] = await putObjects(scan, 'fault');
  expect(await handler(batch([key as string]))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
  refuse = false;
  expect(await handler(batch([key as string]))).toEqual({ batchItemFailures: [] });
  clock.ms = START + HOUR + 35 * MIN;
  await handler(CLOSE_FINDINGS_EVENT);
  const findings = (await aws.sqs.drain(queueUrl)).map((m) => JSON.parse(m.Body ?? '') as FindingAlert);
  expect(findings.filter((f) => f.finding_type === 'port_scan')).toEqual([expect.objectContaining({ src_ip: '198.51.100.23', flow_count: 40 })]);
});

it('keeps the flows of a Parquet object deleted while it was read, and never touches the state for objects that are not flow logs', async () => {
  const queueUrl = await aws.sqs.createQueue('s3-findings-gone');
  await aws.dynamo.createCheckpointTable('s3-findings-gone');
  const clock = { ms: START + 10 * MIN };
  const real = new DynamoDbFindingStore(new DynamoDBClient({ region: REGION, endpoint: aws.dynamo.endpoint, credentials: TEST_CREDENTIALS }), 's3-findings-gone', () => clock.ms);
  let loads = 0;
  // The scan in the first slice the reader decodes, then accepted flows past it (only counted).
  const scan = plantedAttacks(START + 10 * MIN, 16).events.filter((e) => e.message.includes(' 198.51.100.23 ')).map((e) => e.message.split(' '));
  const filler = Array.from({ length: PARQUET_ROWS_PER_READ }, (_, i) => `2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.9.9 ${1024 + (i % 60000)} 443 6 1 40 1795608000 1795608030 ACCEPT OK`.split(' '));
  const body = flowLogParquet(V2_HEADER.split(' '), [...scan, ...filler], { rowGroupSize: PARQUET_ROWS_PER_READ });
  const key = `${DAY}123456789012_vpcflowlogs_us-east-1_fl-gone_20261125T1230Z_h.log.parquet`;
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  // Deleted once the first slice was read: S3 answers NoSuchKey to the range reads of the next one.
  const footer = body.length - 8 - Buffer.from(body).readUInt32LE(body.length - 8);
  const meta = parquetMetadata(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
  const secondSlice = Number(meta.row_groups[1]?.columns[0]?.meta_data?.dictionary_page_offset ?? meta.row_groups[1]?.columns[0]?.meta_data?.data_page_offset);
  const s3Store = storeWrittenAt(() => START + 5 * MIN);
  const handler = createObjectHandler({
    logger: new Logger({ serviceName: METRIC_SERVICE }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
    bucket: BUCKET, prefix: PREFIX, now: () => clock.ms,
    store: {
      ...s3Store,
      range: async (bucket, k, from, to) => {
        if (from >= secondSlice && from < footer) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
        return s3Store.range(bucket, k, from, to);
      },
    },
    publisher: new SqsPublisher(aws.sqs.client, { queueUrl, fifo: false, maxBatchBytes: 262_144, sleep: async () => {} }),
    quarantine: new SqsPublisher(aws.sqs.client, { queueUrl: quarantineUrlFor(queueUrl), fifo: false, maxBatchBytes: 1_048_576, sleep: async () => {} }),
    maxMessageBytes: 262_144,
    findings: {
      settings: { ...DEFAULT_FINDING_SETTINGS, alertMode: 'findings' },
      store: storeWith(real, { load: async (group, shard) => { loads++; return real.load(group, shard); } }),
      lookbackMs: 15 * MIN,
    },
  });
  expect(meta.row_groups.length).toBeGreaterThan(1);
  expect(await handler(batch([key]))).toEqual({ batchItemFailures: [] });
  expect(await handler(batch([`${DAY}manifest.json`]))).toEqual({ batchItemFailures: [] });
  expect(loads).toBe(1);
  clock.ms = START + HOUR + 35 * MIN;
  await handler(CLOSE_FINDINGS_EVENT);
  const findings = (await aws.sqs.drain(queueUrl)).map((m) => JSON.parse(m.Body ?? '') as FindingAlert);
  expect(findings.filter((f) => f.finding_type === 'port_scan')).toEqual([expect.objectContaining({ src_ip: '198.51.100.23', flow_count: 40 })]);
});

it('still sends the findings of a prefix no longer configured, under its old name, and forgets it once its state is gone', async () => {
  const queueUrl = await aws.sqs.createQueue('s3-findings-moved');
  await aws.dynamo.createCheckpointTable('s3-findings-moved');
  const clock = { ms: START + 10 * MIN };
  const store = new DynamoDbFindingStore(new DynamoDBClient({ region: REGION, endpoint: aws.dynamo.endpoint, credentials: TEST_CREDENTIALS }), 's3-findings-moved', () => clock.ms);
  const handlerFor = (prefix: string) => createObjectHandler({
    logger: new Logger({ serviceName: METRIC_SERVICE }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
    bucket: BUCKET, prefix, store: storeWrittenAt(() => START + 5 * MIN), now: () => clock.ms,
    publisher: new SqsPublisher(aws.sqs.client, { queueUrl, fifo: false, maxBatchBytes: 262_144, sleep: async () => {} }),
    quarantine: new SqsPublisher(aws.sqs.client, { queueUrl: quarantineUrlFor(queueUrl), fifo: false, maxBatchBytes: 1_048_576, sleep: async () => {} }),
    maxMessageBytes: 262_144,
    findings: { settings: { ...DEFAULT_FINDING_SETTINGS, alertMode: 'findings' }, store, lookbackMs: 15 * MIN },
  });
  const scan = plantedAttacks(START + 10 * MIN, 16).events.filter((e) => e.message.includes(' 198.51.100.23 '));
  const [key] = await putObjects(scan, 'moved');
  expect(await handlerFor(PREFIX)(batch([key as string]))).toEqual({ batchItemFailures: [] });
  // State written before the list of groups existed (as on a stack upgraded to it): the closer lists its configured group.
  await aws.dynamo.client.send(new DeleteItemCommand({ TableName: 's3-findings-moved', Key: { pk: { S: 'findings-groups' } } }));
  expect(await store.groups()).toEqual([]);
  await handlerFor(PREFIX)(CLOSE_FINDINGS_EVENT);
  expect(await store.groups()).toEqual([`s3://${BUCKET}/${PREFIX}`]);
  // Redeployed with a narrower prefix before the window closed: the old group's windows are still closed on time.
  const moved = handlerFor(`${PREFIX}123456789012/`);
  clock.ms = START + HOUR + 35 * MIN;
  await moved(CLOSE_FINDINGS_EVENT);
  const findings = (await aws.sqs.drain(queueUrl)).map((m) => JSON.parse(m.Body ?? '') as FindingAlert);
  expect(findings.filter((f) => f.finding_type === 'port_scan')).toEqual([expect.objectContaining({ src_ip: '198.51.100.23', flow_count: 40, log_group: `s3://${BUCKET}/${PREFIX}` })]);
  // The configured group is listed too (it may hold state later).
  expect([...(await store.groups())].sort()).toEqual([`s3://${BUCKET}/${PREFIX}`, `s3://${BUCKET}/${PREFIX}123456789012/`]);
  // Its items expire (TTL); the next close forgets it.
  for (let shard = 0; shard < 16; shard++) {
    await aws.dynamo.client.send(new DeleteItemCommand({ TableName: 's3-findings-moved', Key: { pk: { S: `findings|${shard}|s3://${BUCKET}/${PREFIX}` } } }));
  }
  await moved(CLOSE_FINDINGS_EVENT);
  expect(await store.groups()).toEqual([`s3://${BUCKET}/${PREFIX}123456789012/`]);
});
