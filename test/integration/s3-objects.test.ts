/**
 * The S3 source's reader against fauxqs (S3 and SQS on 127.0.0.1): flow-log objects as AWS writes
 * them (gzip text with a header line, and Parquet), sent through the same path as CloudWatch Logs
 * records. The same record makes the same alert (but for where it came from), an object sent
 * twice repeats its alert_ids, and a corrupt object is reported, never retried for ever.
 */
import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../lambda/adapters/s3-object-store';
import { SqsPublisher } from '../../lambda/adapters/sqs-publisher';
import { sendObject } from '../../lambda/app/send-object';
import { compileFormat } from '../../lambda/core/log-format';
import { messageToAlert } from '../../lambda/core/normalize';
import type { LocalSqs } from '../../local/local-sqs';
import { localS3, startLocalSqs } from '../../local/local-sqs';
import { flowLogParquet } from '../../local/flow-log-parquet';
import { quarantineUrlFor } from '../../local/local-aws';
import { expectValidAlert } from '../helpers/alert-schema';

jest.setTimeout(60_000);

const BUCKET = 'flow-logs';
const PREFIX = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/25/';
const FIELDS = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status', 'vpc-id', 'flow-direction'];
const RECORDS = Array.from({ length: 3000 }, (_, i) => `5 123456789012 eni-0a1b2c3d4e5f60718 198.51.100.${i % 250} 10.0.1.${i % 20} ${40_000 + i} ${[22, 443, 3389][i % 3]} 6 1 44 ${1_795_608_000 + i} ${1_795_608_030 + i} ${i % 7 === 0 ? 'ACCEPT' : 'REJECT'} OK vpc-0a1b2c3d4e5f60718 ingress`);

let sqs: LocalSqs;
let s3: S3Client;
beforeAll(async () => {
  sqs = await startLocalSqs();
  s3 = await localS3(sqs, BUCKET);
});
afterAll(async () => {
  s3.destroy();
  await sqs.stop();
});

async function put(key: string, body: Uint8Array | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function send(key: string, queue: string) {
  const queueUrl = await sqs.createQueue(queue);
  const stats = await sendObject(BUCKET, key, {
    store: new S3ObjectStore(s3),
    publisher: new SqsPublisher(sqs.client, { queueUrl, fifo: false, maxBatchBytes: 262_144, sleep: async () => {} }),
    quarantine: new SqsPublisher(sqs.client, { queueUrl: quarantineUrlFor(queueUrl), fifo: false, maxBatchBytes: 1_048_576, sleep: async () => {} }),
    maxMessageBytes: 262_144,
  });
  const alerts = (await sqs.drain(queueUrl)).map((m) => JSON.parse(m.Body ?? '') as Record<string, unknown>);
  for (const alert of alerts) expectValidAlert(alert);
  return { stats, alerts };
}

/** An alert without where it came from: what must not depend on the destination. */
function flowPart(alert: Record<string, unknown>): Record<string, unknown> {
  const { alert_id: _id, raw_event: _raw, ...rest } = alert;
  return rest;
}

const byLine = (a: Record<string, unknown>, b: Record<string, unknown>) => Number((a['raw_event'] as { s3: { line?: number; row?: number } }).s3.line ?? (a['raw_event'] as { s3: { row: number } }).s3.row) - Number((b['raw_event'] as { s3: { line?: number; row?: number } }).s3.line ?? (b['raw_event'] as { s3: { row: number } }).s3.row);

describe('flow-log objects in S3', () => {
  it('sends every record of a .log.gz object as the alert CloudWatch Logs would give, with where it is in the object', async () => {
    const key = `${PREFIX}123456789012_vpcflowlogs_us-east-1_fl-1_20261125T0000Z_abc.log.gz`;
    await put(key, gzipSync(`${FIELDS.join(' ')}\n${RECORDS.join('\n')}\n`));
    const { stats, alerts } = await send(key, 's3-text');
    expect(stats).toMatchObject({ outcome: 'sent', records: 3000, alertsSent: 3000, unparsedRecords: 0 });
    const format = compileFormat(FIELDS.map((f) => `\${${f}}`).join(' '));
    alerts.sort(byLine);
    alerts.forEach((alert, i) => {
      expect(flowPart(alert)).toEqual(flowPart(messageToAlert(RECORDS[i] as string, format) as unknown as Record<string, unknown>));
      expect(alert['raw_event']).toMatchObject({ message: RECORDS[i], record_format: 'custom', s3: { bucket: BUCKET, key, line: i + 2 } });
      expect(alert['raw_event']).not.toHaveProperty('log_group');
    });
    // Sent again (a redelivered notification): the same alert_ids, no new ones.
    const again = await send(key, 's3-text-again');
    expect(again.alerts.map((a) => a['alert_id']).sort()).toEqual(alerts.map((a) => a['alert_id']).sort());
  });

  it.each(['GZIP', 'SNAPPY'] as const)('reads a %s Parquet object (the layout from its schema, row groups by range reads, nulls as -) to the same alerts as the text form', async (codec) => {
    // GZIP is the page compression AWS documents for flow logs in Parquet; the last record has no data (nulls).
    const records = [...RECORDS.slice(0, 2999), '5 123456789012 eni-0a1b2c3d4e5f60718 - - - - - - - 1795610999 1795611059 - NODATA vpc-0a1b2c3d4e5f60718 -'];
    const key = `${PREFIX}123456789012_vpcflowlogs_us-east-1_fl-1_20261125T0000Z_abc-${codec}.log.parquet`;
    await put(key, flowLogParquet(FIELDS, records.map((r) => r.split(' ')), { rowGroupSize: 1000, codec }));
    const { stats, alerts } = await send(key, `s3-parquet-${codec.toLowerCase()}`);
    expect(stats).toMatchObject({ outcome: 'sent', records: 3000, alertsSent: 3000, unparsedRecords: 0 });
    const format = compileFormat(FIELDS.map((f) => `\${${f}}`).join(' '));
    alerts.sort(byLine);
    alerts.forEach((alert, i) => {
      expect(flowPart(alert)).toEqual(flowPart(messageToAlert(records[i] as string, format) as unknown as Record<string, unknown>));
      expect(alert['raw_event']).toMatchObject({ s3: { bucket: BUCKET, key, row: i + 1 } });
    });
  });

  it('reports a truncated gzip object after sending what it could read, and never retries it', async () => {
    const whole = gzipSync(`${FIELDS.join(' ')}\n${RECORDS.join('\n')}\n`);
    const key = `${PREFIX}truncated.log.gz`;
    await put(key, whole.subarray(0, Math.floor(whole.length / 2)));
    const { stats, alerts } = await send(key, 's3-corrupt');
    expect(stats.outcome).toBe('corrupt');
    expect(stats.corruptReason).toMatch(/not valid gzip after line \d+/);
    const unparsed = alerts.filter((a) => (a['raw_event'] as { record_format: string }).record_format === 'unparsed');
    expect(unparsed).toHaveLength(1);
    expect(alerts.length).toBeGreaterThan(100);
  });

  it('ignores objects that are not flow logs, and cuts a line no record could be', async () => {
    await put(`${PREFIX}manifest.json`, '{}');
    expect((await send(`${PREFIX}manifest.json`, 's3-ignored')).stats.outcome).toBe('ignored');
    const key = `${PREFIX}long.log.gz`;
    await put(key, gzipSync(`${FIELDS.join(' ')}\n${'x'.repeat(2_000_000)}\n${RECORDS[0]}\n`));
    const { stats, alerts } = await send(key, 's3-long');
    expect(stats).toMatchObject({ outcome: 'sent', records: 2, unparsedRecords: 1 });
    expect(alerts.find((a) => (a['raw_event'] as { record_format: string }).record_format === 'unparsed')?.['raw_event']).toMatchObject({ parse_error: expect.stringContaining('longer than 1048576 characters'), s3: { line: 2 } });
  });
});
