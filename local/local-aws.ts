/**
 * The poller wired exactly as lambda/handler.ts wires it (same adapters, real SDK v3 clients),
 * against local endpoints on 127.0.0.1: the CloudWatch Logs emulator, fauxqs behind a fault
 * proxy, and dynalite. Time is simulated: one clock drives the emulator and the poller.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchLogSource } from '../lambda/adapters/cloudwatch-log-source';
import { DynamoDbCheckpointStore } from '../lambda/adapters/dynamodb-checkpoint-store';
import { DynamoDbFindingStore } from '../lambda/adapters/dynamodb-finding-store';
import { RateLimiter } from '../lambda/adapters/rate-limiter';
import { SQS_MAX_BYTES, SqsPublisher } from '../lambda/adapters/sqs-publisher';
import { readConfig } from '../lambda/app/config';
import { CHECKPOINT_KEY, ENV } from '../lambda/settings/settings-table';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../lambda/settings/metric-names';
import type { RunSummary } from '../lambda/handlers/poll-handler';
import { createPollHandler } from '../lambda/handlers/poll-handler';
import { CloudWatchLogsEmulator } from './cloudwatch-logs-emulator';
import type { LatencyModel } from './latency-model';
import { addLatency } from './latency-model';
import type { LocalDynamoDb } from './local-dynamodb';
import { startLocalDynamoDb } from './local-dynamodb';
import type { LocalSqs } from './local-sqs';
import { startLocalSqs, TEST_CREDENTIALS } from './local-sqs';

export const REGION = 'us-east-1';
export const FLOW_GROUP = '/aws/vpc/flowlogs';
export const MIN = 60_000;
export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

export interface LocalAws {
  readonly clock: { ms: number };
  readonly logs: CloudWatchLogsEmulator;
  readonly sqs: LocalSqs;
  readonly dynamo: LocalDynamoDb;
  stop(): Promise<void>;
}

export async function startLocalAws(options: { pageSize?: number; emptyPagesBeforeData?: number } = {}): Promise<LocalAws> {
  const clock = { ms: T0 };
  const [logs, sqs, dynamo] = await Promise.all([
    CloudWatchLogsEmulator.start({ now: () => clock.ms, ...options }),
    startLocalSqs(),
    startLocalDynamoDb(),
  ]);
  return {
    clock, logs, sqs, dynamo,
    stop: async () => {
      await Promise.all([logs.stop(), sqs.stop(), dynamo.stop()]);
    },
  };
}

/** Environment for the poller, as the CDK stack would set it. */
export function pollerEnv(queueUrl: string, table: string, extra: Record<string, string> = {}, group = FLOW_GROUP): Record<string, string> {
  return {
    [ENV.logGroups]: JSON.stringify([{ name: group }]),
    [ENV.queueUrl]: queueUrl,
    [ENV.quarantineQueueUrl]: quarantineUrlFor(queueUrl),
    [ENV.checkpointTable]: table,
    [ENV.filterRequestsPerSecond]: '5',
    ...extra,
  };
}

/** The quarantine queue paired with an alert queue in tests: `<name>-quarantine` (create it with `createQueues`). */
export function quarantineUrlFor(queueUrl: string): string {
  return `${queueUrl.replace(/\.fifo$/, '')}-quarantine`;
}

export interface TestPoller {
  /** One scheduled invocation with `remainingMs` left before the Lambda timeout; `requestId` names the run. */
  invoke(remainingMs?: number, requestId?: string): Promise<RunSummary>;
  /** Set to make the next checkpoint write fail as if the connection dropped (after the sends). */
  failNextCheckpointWrite: boolean;
  /** Checkpoint table requests made, by command (`PutItemCommand`, ...). */
  readonly checkpointCalls: Map<string, number>;
}

/** How the benchmark shapes the poller; tests use the defaults. */
export interface PollerOptions {
  /** Added to every request of the poller's clients. @default none */
  readonly latency?: LatencyModel;
  /** SendMessageBatch calls in flight. @default the publisher's default */
  readonly sendConcurrency?: number;
}

/** Builds the poller from `env` with real clients on the local endpoints; backoff sleeps are skipped. */
export function makePoller(aws: LocalAws, env: Record<string, string>, options: PollerOptions = {}): TestPoller {
  const config = readConfig(env);
  const noSleep = async (): Promise<void> => {};
  const logsClient = new CloudWatchLogsClient({ region: REGION, endpoint: aws.logs.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const dynamoClient = new DynamoDBClient({ region: REGION, endpoint: aws.dynamo.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  // The Lambda's own SQS client: one attempt a call, retries in the publisher.
  const sqsClient = options.latency === undefined ? aws.sqs.client : new SQSClient({ region: REGION, endpoint: aws.sqs.endpoint, credentials: TEST_CREDENTIALS, useQueueUrlAsEndpoint: false, maxAttempts: 1 });
  if (options.latency !== undefined) {
    addLatency(logsClient, options.latency.filterLogEventsMs);
    addLatency(dynamoClient, options.latency.dynamoDbMs);
    addLatency(sqsClient, options.latency.sqsMs);
  }
  const faults = { failNextCheckpointWrite: false };
  const checkpointCalls = new Map<string, number>();
  dynamoClient.middlewareStack.add(
    (next, context) => async (args) => {
      checkpointCalls.set(context.commandName ?? '?', (checkpointCalls.get(context.commandName ?? '?') ?? 0) + 1);
      // Only the checkpoint item's write: the finding state, written just before it, goes through.
      const item = (args.input as { Item?: Record<string, { S?: string }> }).Item;
      if (faults.failNextCheckpointWrite && context.commandName === 'PutItemCommand' && item?.[CHECKPOINT_KEY]?.S?.startsWith('checkpoint|') === true) {
        faults.failNextCheckpointWrite = false;
        throw Object.assign(new Error('socket hang up (simulated)'), { name: 'TimeoutError' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'checkpointFaults' },
  );
  let runs = 0;
  const poller = createPollHandler({
    config,
    logger: new Logger({ serviceName: METRIC_SERVICE }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
    now: () => aws.clock.ms,
    // The rate limiter runs on the simulated clock: pacing is asserted by count, not by waiting.
    source: new CloudWatchLogSource(logsClient, {
      limiter: new RateLimiter(config.filterRequestsPerSecond, () => aws.clock.ms, async (ms) => {
        aws.clock.ms += ms;
      }),
      sleep: noSleep,
    }),
    publisher: new SqsPublisher(sqsClient, {
      queueUrl: config.queueUrl, fifo: config.fifo, maxBatchBytes: config.maxMessageBytes, sleep: noSleep,
      ...(options.sendConcurrency !== undefined && { concurrency: options.sendConcurrency }),
    }),
    quarantine: new SqsPublisher(sqsClient, { queueUrl: config.quarantineQueueUrl, fifo: false, maxBatchBytes: SQS_MAX_BYTES, sleep: noSleep }),
    checkpoints: new DynamoDbCheckpointStore(dynamoClient, config.checkpointTable, () => aws.clock.ms, noSleep),
    findingStore: new DynamoDbFindingStore(dynamoClient, config.checkpointTable, () => aws.clock.ms),
  });
  return {
    checkpointCalls,
    invoke: (remainingMs = 240_000, requestId = `run-${++runs}`) =>
      poller({}, { getRemainingTimeInMillis: () => remainingMs, awsRequestId: requestId }),
    get failNextCheckpointWrite() {
      return faults.failNextCheckpointWrite;
    },
    set failNextCheckpointWrite(value: boolean) {
      faults.failNextCheckpointWrite = value;
    },
  };
}

/** A default-format flow record at `at` (epoch ms). */
export function flowLine(i: number, at: number, action: 'REJECT' | 'ACCEPT' = 'REJECT'): string {
  const s = Math.floor(at / 1000);
  return `2 123456789012 eni-0a1b2c3d4e5f6a7b8 198.51.100.${i % 250} 10.0.${(i >> 8) & 255}.${i & 255} ${1024 + (i % 60000)} ${[22, 3389, 445][i % 3]} 6 1 40 ${s} ${s + 60} ${action} OK`;
}
