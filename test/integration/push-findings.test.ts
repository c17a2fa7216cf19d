/**
 * Findings in push mode: the real subscription handler, DynamoDB state store and SQS publisher
 * against local endpoints. Deliveries from many log streams arrive concurrently and twice; the
 * scheduled closer sends each finding once; a record for a closed window is sent on its own.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbFindingStore } from '../../lambda/adapters/dynamodb-finding-store';
import { SqsPublisher } from '../../lambda/adapters/sqs-publisher';
import { PUSH_SHARDS } from '../../lambda/app/finding-tracker';
import type { FindingStateStore } from '../../lambda/app/ports';
import type { FindingAlert } from '../../lambda/core/finding';
import { DEFAULT_FINDING_SETTINGS } from '../../lambda/core/finding';
import { cidrs } from '../../lambda/core/ip-address';
import { compileFormat } from '../../lambda/core/log-format';
import type { CloudWatchLogsEvent } from '../../lambda/handlers/subscribe-handler';
import { createSubscribeHandler } from '../../lambda/handlers/subscribe-handler';
import { CLOSE_FINDINGS_EVENT } from '../../lambda/settings/settings-table';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../../lambda/settings/metric-names';
import type { TrafficEvent } from '../../local/flow-traffic';
import { ALLOWLISTED_RANGE, backgroundTraffic, plantedAttacks } from '../../local/flow-traffic';
import type { LocalAws } from '../../local/local-aws';
import { MIN, quarantineUrlFor, REGION, startLocalAws } from '../../local/local-aws';
import { TEST_CREDENTIALS } from '../../local/local-sqs';
import { expectValidAlert } from '../helpers/alert-schema';
import { encodeDelivery } from '../helpers/subscription';
import { storeWith } from '../helpers/finding-store';

jest.setTimeout(120_000);

const GROUP = '/aws/vpc/flowlogs';
const HOUR = 60 * MIN;
const START = Date.UTC(2026, 10, 25, 12, 0, 0);
const CONTEXT = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:vpc-flow-alerts' };
let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => aws.stop());

/** One delivery per interface (log stream), as CloudWatch Logs sends them. */
function deliveries(events: readonly TrafficEvent[], idPrefix: string): Array<{ awslogs: { data: string } }> {
  const byStream = new Map<string, Array<{ id: string; timestamp: number; message: string }>>();
  events.forEach((e, i) => {
    const stream = `${e.message.split(' ')[2]}-all`;
    const list = byStream.get(stream) ?? [];
    list.push({ id: `${idPrefix}-${i}`, timestamp: e.timestamp, message: e.message });
    byStream.set(stream, list);
  });
  return [...byStream].map(([logStream, logEvents]) => ({
    awslogs: { data: encodeDelivery({ messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: GROUP, logStream, subscriptionFilters: ['vpc-flow-alerts'], logEvents }) },
  }));
}

/** The push-mode handler in findings mode, on the local queue `queueUrl` and state `store`. */
function subscriber(queueUrl: string, store: FindingStateStore, now: () => number, allowlist = cidrs(ALLOWLISTED_RANGE)) {
  return createSubscribeHandler({
    logger: new Logger({ serviceName: METRIC_SERVICE }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
    formats: new Map([[GROUP, compileFormat()]]),
    defaultFormat: compileFormat(),
    publisher: new SqsPublisher(aws.sqs.client, { queueUrl, fifo: false, maxBatchBytes: 262_144, sleep: async () => {} }),
    quarantine: new SqsPublisher(aws.sqs.client, { queueUrl: quarantineUrlFor(queueUrl), fifo: false, maxBatchBytes: 1_048_576, sleep: async () => {} }),
    maxMessageBytes: 262_144,
    now,
    findings: { settings: { ...DEFAULT_FINDING_SETTINGS, alertMode: 'findings', allowlist }, store, lookbackMs: 15 * MIN },
  });
}

function localStore(table: string, now?: () => number): DynamoDbFindingStore {
  return new DynamoDbFindingStore(new DynamoDBClient({ region: REGION, endpoint: aws.dynamo.endpoint, credentials: TEST_CREDENTIALS }), table, now);
}

it('sends every planted attack once, from concurrent and repeated deliveries, and late records on their own', async () => {
  const queueUrl = await aws.sqs.createQueue('push-findings');
  await aws.dynamo.createCheckpointTable('push-findings');
  const clock = { ms: START + 30 * MIN };
  const handler = subscriber(queueUrl, localStore('push-findings', () => clock.ms), () => clock.ms);
  const invoke = (event: unknown) => handler(event as CloudWatchLogsEvent, CONTEXT);
  const background = backgroundTraffic({ startMs: START, hours: 1, interfaces: 16, probesPerInterfaceHour: 30, sweepersPerHour: 0 });
  const planted = plantedAttacks(START + 10 * MIN, 16);
  const all = deliveries([...background, ...planted.events], 'a');
  // Every stream's delivery at once (shards written concurrently), then all of them again (redelivery).
  await Promise.all(all.map((d) => invoke(d)));
  await Promise.all(all.map((d) => invoke(d)));
  expect(await aws.sqs.drain(queueUrl)).toEqual([]);

  // Not yet: the window ended, but records may still come for 15 minutes plus a running delivery.
  clock.ms = START + HOUR + 20 * MIN;
  await invoke(CLOSE_FINDINGS_EVENT);
  expect(await aws.sqs.drain(queueUrl)).toEqual([]);

  clock.ms = START + HOUR + 35 * MIN;
  await invoke(CLOSE_FINDINGS_EVENT);
  await invoke(CLOSE_FINDINGS_EVENT);
  const findings = (await aws.sqs.drain(queueUrl)).map((m) => JSON.parse(m.Body ?? '') as FindingAlert);
  for (const f of findings) expectValidAlert(f);
  expect(new Set(findings.map((f) => f.alert_id)).size).toBe(findings.length);
  for (const attack of planted.attacks) {
    const found = findings.filter((f) => f.src_ip === attack.src);
    if (attack.expect === null) expect(found).toEqual([]);
    else expect(found.map((f) => f.finding_type)).toContain(attack.expect.type);
  }
  const scan = findings.find((f) => f.finding_type === 'port_scan');
  expect(scan).toMatchObject({ src_ip: '198.51.100.23', flow_count: 40, distinct_ports: 40, counts_exact: true });
  const summarised = findings.filter((f) => f.finding_type === 'inbound_summary').reduce((n, f) => n + f.flow_count, 0);
  expect(summarised).toBeGreaterThan(background.length * 0.8);

  // A record for the closed window now: sent on its own as a flow alert, never lost.
  await invoke(deliveries([planted.events[0] as TrafficEvent], 'late')[0]);
  const late = (await aws.sqs.drain(queueUrl)).map((m) => JSON.parse(m.Body ?? '') as { category: string; src_ip: string });
  expect(late).toEqual([expect.objectContaining({ category: 'network', src_ip: '198.51.100.23' })]);
});

it('a Kinesis record whose finding state cannot be saved is retried from that record, and nothing is lost', async () => {
  const queueUrl = await aws.sqs.createQueue('push-findings-conflict');
  const real = localStore('push-findings-conflict');
  await aws.dynamo.createCheckpointTable('push-findings-conflict');
  let refuse = true;
  // Every save loses the race while `refuse` is set, as under a writer that never stops.
  const store = storeWith(real, { save: async (...args: Parameters<typeof real.save>) => (refuse ? false : real.save(...args)) });
  const handler = subscriber(queueUrl, store, () => START + 30 * MIN, []);
  const planted = plantedAttacks(START + 10 * MIN, 16);
  const records = deliveries(planted.events, 'k').map((d, i) => ({ kinesis: { data: d.awslogs.data, sequenceNumber: String(1000 + i) } }));
  const first = await handler({ Records: records } as unknown as CloudWatchLogsEvent, CONTEXT);
  expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: '1000' }] });
  refuse = false;
  expect(await handler({ Records: records } as unknown as CloudWatchLogsEvent, CONTEXT)).toEqual({ batchItemFailures: [] });
  const stored = await Promise.all(Array.from({ length: PUSH_SHARDS }, (_, shard) => real.load(GROUP, shard)));
  const flows = stored.reduce((n, s) => n + [...(s?.state.windows.values() ?? [])].reduce((m, w) => m + [...w.sources.values()].reduce((k, src) => k + src.flows.h.length, 0), 0), 0);
  // Every planted flow is in the state (the 40-flow scanner's sketch is exact below 64).
  expect(flows).toBe(planted.events.length);
});
