/** Push mode against the local SQS endpoint: direct and Kinesis deliveries through the real publisher. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Message } from '@aws-sdk/client-sqs';
import { SqsPublisher } from '../../lambda/adapters/sqs-publisher';
import { METRIC_NAMESPACE, METRIC_SERVICE, METRICS } from '../../lambda/settings/metric-names';
import { compileFormat } from '../../lambda/core/log-format';
import type { CloudWatchLogsEvent, KinesisStreamBatchResponse as KinesisBatchResponse } from '../../lambda/handlers/subscribe-handler';
import { createSubscribeHandler, DeliveryNotSentError } from '../../lambda/handlers/subscribe-handler';
import type { LocalAws } from '../../local/local-aws';
import type { EntryFault } from '../../local/local-sqs';
import { flowLine, makePoller, MIN, pollerEnv, quarantineUrlFor, startLocalAws } from '../../local/local-aws';
import { expectValidAlert } from '../helpers/alert-schema';
import { captureStdout, metricSum } from '../helpers/capture-output';
import { CONTROL_MESSAGE, dataMessage, encodeDelivery } from '../helpers/subscription';

jest.setTimeout(60_000);

const GROUP = '/aws/vpc/flowlogs';
const CONTEXT = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:vpc-flow-alerts' };
const CUSTOM = '/aws/vpc/flowlogs-app';
const CUSTOM_FORMAT = '${srcaddr} ${dstaddr} ${dstport} ${action} ${tcp-flags}';
let aws: LocalAws;
let counter = 0;

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => aws.stop());

async function setup(extraGroups: readonly string[] = []) {
  counter++;
  const queueUrl = await aws.sqs.createQueue(`push-${counter}`);
  const subscriber = createSubscribeHandler({
    logger: new Logger({ serviceName: METRIC_SERVICE }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
    formats: new Map([[GROUP, compileFormat()], [CUSTOM, compileFormat(CUSTOM_FORMAT)], ...extraGroups.map((g) => [g, compileFormat()] as const)]),
    defaultFormat: compileFormat(),
    publisher: new SqsPublisher(aws.sqs.client, { queueUrl, fifo: false, maxBatchBytes: 262_144, sleep: async () => {} }),
    quarantine: new SqsPublisher(aws.sqs.client, { queueUrl: quarantineUrlFor(queueUrl), fifo: false, maxBatchBytes: 1_048_576, sleep: async () => {} }),
    maxMessageBytes: 262_144,
    now: () => 1_700_000_000_000,
  });
  // The handler's contract types are AWS's; these tests send the parts the handler reads.
  const push = (event: unknown) => subscriber(event as CloudWatchLogsEvent, CONTEXT);
  const bodies = async (): Promise<Array<Record<string, unknown>>> =>
    (await aws.sqs.drain(queueUrl)).map((m: Message) => {
      const body = JSON.parse(m.Body ?? '{}') as Record<string, unknown>;
      expectValidAlert(body);
      return body;
    });
  return { queueUrl, subscriber: push, bodies };
}

const quietly = async <T>(work: () => Promise<T>): Promise<{ value: T; lines: Array<Record<string, unknown>> }> => {
  const out = captureStdout();
  try {
    return { value: await work(), lines: out.lines() };
  } finally {
    out.restore();
  }
};

/** Runs `work` with SQS entry faults set, and always clears them, so a failure cannot leak into other tests. */
async function withFault<T>(fault: EntryFault, work: () => Promise<T>): Promise<T> {
  aws.sqs.fault = fault;
  try {
    return await work();
  } finally {
    aws.sqs.fault = undefined;
  }
}

describe('subscription handler', () => {
  it('sends every record of direct deliveries from several streams and groups, each layout read right', async () => {
    const { subscriber, bodies } = await setup();
    const lines = Array.from({ length: 25 }, (_, i) => flowLine(i, 1_700_000_000_000));
    const { lines: out } = await quietly(async () => {
      await subscriber({ awslogs: { data: dataMessage(GROUP, 'eni-a-all', lines.slice(0, 10), { idPrefix: 'a' }) } });
      await subscriber({ awslogs: { data: dataMessage(GROUP, 'eni-b-all', lines.slice(10), { idPrefix: 'b' }) } });
      await subscriber({ awslogs: { data: dataMessage(CUSTOM, 'eni-c-all', ['192.0.2.1 10.0.0.9 22 REJECT 2'], { idPrefix: 'c' }) } });
    });
    const alerts = await bodies();
    expect(alerts).toHaveLength(26);
    expect(new Set(alerts.map((a) => a['alert_id'])).size).toBe(26);
    expect(alerts.find((a) => a['alert_id'] === 'c-0')).toMatchObject({ src_ip: '192.0.2.1', tcp_flag_names: ['SYN'], raw_event: { record_format: 'custom', log_group: CUSTOM, log_stream: 'eni-c-all' } });
    expect(metricSum(out, METRICS.alertsSent, GROUP)).toBe(25);
  });

  it('acknowledges control messages without sending anything', async () => {
    const { subscriber, bodies } = await setup();
    await quietly(() => subscriber({ awslogs: { data: CONTROL_MESSAGE } }));
    expect(await bodies()).toEqual([]);
  });

  it('sends a corrupt delivery as one unparsed alert carrying its raw data, and counts it', async () => {
    const { subscriber, bodies } = await setup();
    const { lines } = await quietly(() => subscriber({ Records: [{ kinesis: { data: 'bm90IGd6aXA=', sequenceNumber: '4950' } }] }));
    const [alert] = await bodies();
    expect(alert).toMatchObject({ alert_id: 'delivery:4950', severity: 'low', raw_event: { message: 'bm90IGd6aXA=', record_format: 'unparsed' } });
    expect(String((alert?.['raw_event'] as Record<string, unknown>)['parse_error'])).toMatch(/^corrupt subscription delivery: not base64 gzip JSON/);
    expect(metricSum(lines, METRICS.corruptDeliveries, 'unknown')).toBe(1);
  });

  it('throws for a direct delivery whose sends fail, so Lambda retries it; the retry repeats only alert ids', async () => {
    const { subscriber, bodies } = await setup();
    const data = dataMessage(GROUP, 'eni-a-all', Array.from({ length: 12 }, (_, i) => flowLine(i, 1_700_000_000_000)));
    const failed = await withFault((entry) => (entry.Id === '3' ? { code: 'InternalError' } : undefined), () =>
      quietly(() => subscriber({ awslogs: { data } }).catch((error: unknown) => error)));
    expect(failed.value).toBeInstanceOf(DeliveryNotSentError);
    await quietly(() => subscriber({ awslogs: { data } }));
    const ids = (await bodies()).map((a) => a['alert_id']);
    expect(new Set(ids).size).toBe(12);
    expect(ids).toHaveLength(23);
  });

  it('reports the first Kinesis record whose sends fail as a batch item failure and stops there', async () => {
    const { subscriber, bodies } = await setup();
    const records = ['r1', 'r2', 'r3'].map((prefix, i) => ({
      kinesis: { sequenceNumber: String(100 + i), data: dataMessage(GROUP, 's', [flowLine(i, 1_700_000_000_000)], { idPrefix: prefix }) },
    }));
    const { value } = await withFault((entry) => (entry.MessageBody.includes('"r2-0"') ? { code: 'InternalError' } : undefined), () =>
      quietly(() => subscriber({ Records: records })));
    expect(value as KinesisBatchResponse).toEqual({ batchItemFailures: [{ itemIdentifier: '101' }] });
    expect((await bodies()).map((a) => a['alert_id'])).toEqual(['r1-0']);
    const retry = await quietly(() => subscriber({ Records: records.slice(1) }));
    expect(retry.value).toEqual({ batchItemFailures: [] });
    expect((await bodies()).map((a) => a['alert_id']).sort()).toEqual(['r2-0', 'r3-0']);
  });

  it('refuses deliveries from a log group that is not configured or from another account, counting them under one dimension', async () => {
    const { subscriber, bodies } = await setup();
    const forged = (group: string, owner = '123456789012') =>
      encodeDelivery({ messageType: 'DATA_MESSAGE', owner, logGroup: group, logStream: 's', subscriptionFilters: [], logEvents: [{ id: 'f-1', timestamp: 1, message: flowLine(1, 1_700_000_000_000) }] });
    const { lines } = await quietly(async () => {
      for (let i = 0; i < 3; i++) await subscriber({ Records: [{ kinesis: { sequenceNumber: `7${i}`, data: forged('/forged/group') } }] });
      await subscriber({ Records: [{ kinesis: { sequenceNumber: '80', data: forged(GROUP, '999999999999') } }] });
    });
    expect(await bodies()).toEqual([]);
    expect(metricSum(lines, METRICS.refusedDeliveries, 'unknown')).toBe(4);
    expect(lines.some((l) => l['LogGroup'] === '/forged/group')).toBe(false);
    const warnings = lines.filter((l) => String(l['message']).startsWith('delivery refused'));
    expect(warnings.map((w) => [w['claimedLogGroup'], w['reason']])).toEqual([
      ['/forged/group', 'log group is not configured'],
      [GROUP, 'owner account 999999999999 is not this account'],
    ]);
  });

  it('never fails a Kinesis batch for a record SQS refuses: it goes to the quarantine queue', async () => {
    const { queueUrl, subscriber, bodies } = await setup();
    const records = [{ kinesis: { sequenceNumber: '900', data: dataMessage(GROUP, 's', [flowLine(1, 1_700_000_000_000), flowLine(2, 1_700_000_000_000)], { idPrefix: 'q' }) } }];
    const { value, lines } = await withFault(
      (entry) => (entry.MessageBody.includes('"alert_id":"q-1"') && !entry.MessageBody.includes('"kind"') ? { code: 'InvalidMessageContents', senderFault: true } : undefined),
      () => quietly(() => subscriber({ Records: records })),
    );
    expect(value).toEqual({ batchItemFailures: [] });
    expect((await bodies()).map((a) => a['alert_id'])).toEqual(['q-0']);
    const kept = (await aws.sqs.drain(quarantineUrlFor(queueUrl))).map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>);
    expect(kept).toMatchObject([{ alert_id: 'q-1', log_group: GROUP }]);
    expect(metricSum(lines, METRICS.quarantined, GROUP)).toBe(1);
  });

  it('produces the same alert bodies as the poller for the same event (push has no ingestion time)', async () => {
    const group = `/aws/vpc/flowlogs-both-${counter + 1}`;
    const { subscriber, bodies } = await setup([group]);
    aws.logs.createLogGroup(group);
    const queueUrl = await aws.sqs.createQueue(`both-${counter}`);
    await aws.dynamo.createCheckpointTable(`both-${counter}`);
    const t = aws.clock.ms;
    const line = flowLine(7, t + MIN);
    const [eventId] = aws.logs.putEvents(group, [{ logStreamName: 'eni-0a1-all', timestamp: t + MIN, message: line }]);
    aws.clock.ms += 5 * MIN;
    await quietly(() => makePoller(aws, pollerEnv(queueUrl, `both-${counter}`, {}, group)).invoke());
    const polled = (await aws.sqs.drain(queueUrl)).map((m) => JSON.parse(m.Body ?? '{}') as Record<string, Record<string, unknown>>)[0];
    await quietly(() =>
      subscriber({ awslogs: { data: encodeDelivery({ messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: group, logStream: 'eni-0a1-all', subscriptionFilters: [], logEvents: [{ id: eventId, timestamp: t + MIN, message: line }] }) } }),
    );
    const pushed = (await bodies())[0] as Record<string, Record<string, unknown>>;
    expect(polled).toBeDefined();
    const { ingestion_time: _ingestion, ...polledRaw } = polled?.['raw_event'] ?? {};
    expect({ ...pushed, raw_event: pushed['raw_event'] }).toEqual({ ...polled, raw_event: polledRaw });
  });
});
