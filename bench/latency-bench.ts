/**
 * Do sends keep up with reads? One 5,000-alert poll run under an AWS-like latency model
 * (FilterLogEvents 150 ms a page, SendMessageBatch 20 ms, DynamoDB 8 ms), against the local
 * endpoints, beside its floor measured in the same process: the same SendMessageBatch calls with
 * the same bodies pushed with 50 in flight, plus the minimum page reads and checkpoint calls, all
 * through the same latency. Run with 4 calls in flight (the publisher's former default) and with
 * the current default (`BENCH_CONCURRENCY=8,16,32` tries others). `npm run bench`.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbCheckpointStore } from '../lambda/adapters/dynamodb-checkpoint-store';
import { DEFAULT_SEND_CONCURRENCY, SqsPublisher } from '../lambda/adapters/sqs-publisher';
import { ENV } from '../lambda/settings/settings-table';
import type { OutboundMessage } from '../lambda/app/ports';
import { SeenSet } from '../lambda/core/seen-set';
import { AWS_LIKE_LATENCY, addLatency } from '../local/latency-model';
import { flowLine, makePoller, MIN, pollerEnv, REGION, startLocalAws } from '../local/local-aws';
import { TEST_CREDENTIALS } from '../local/local-sqs';

const ALERTS = 5000;
const FLOOR_IN_FLIGHT = 50;
const RUNS = Number(process.env['BENCH_LATENCY_RUNS'] ?? 3);

async function main(): Promise<void> {
  process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  const aws = await startLocalAws();
  const m = AWS_LIKE_LATENCY;
  process.stdout.write(
    `latency model: FilterLogEvents ${m.filterLogEventsMs} ms, SendMessageBatch ${m.sqsMs} ms, DynamoDB ${m.dynamoDbMs} ms; one run of ${ALERTS.toLocaleString('en-US')} alerts, best of ${RUNS}, node ${process.version}\n`,
  );
  try {
    let case_ = 0;
    /** One measured poll run: wall time, and the messages it sent (for the floor). */
    const run = async (concurrency: number): Promise<{ seconds: number; messages: OutboundMessage[] }> => {
      case_++;
      const group = `/aws/vpc/latency-${case_}`;
      aws.logs.createLogGroup(group);
      const queueUrl = await aws.sqs.createQueue(`latency-${case_}`);
      await aws.dynamo.createCheckpointTable(`latency-${case_}`);
      const poller = makePoller(aws, pollerEnv(queueUrl, `latency-${case_}`, { [ENV.maxEventsPerRun]: String(ALERTS) }, group), { latency: AWS_LIKE_LATENCY, sendConcurrency: concurrency });
      await poller.invoke(); // a new group records its start
      const t = aws.clock.ms;
      aws.logs.putEvents(group, Array.from({ length: ALERTS }, (_, i) => ({ timestamp: t + 1 + (i % 240_000), message: flowLine(i, t + (i % 240_000)) })));
      aws.clock.ms = t + 5 * MIN;
      const started = process.hrtime.bigint();
      const summary = await poller.invoke();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const stats = summary.groups[0];
      if (stats?.alertsSent !== ALERTS || stats.end !== 'caught-up') throw new Error(`run did not send ${ALERTS}: ${JSON.stringify(stats)}`);
      const received = await aws.sqs.drain(queueUrl);
      const messages = received.map((msg, i) => ({
        id: String(i), body: msg.Body ?? '', groupId: '', deduplicationId: '',
        attributes: Object.fromEntries(Object.entries(msg.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])),
      }));
      return { seconds, messages };
    };

    /** The floor: the same sends at 50 in flight, one page read, the four checkpoint calls of a run. */
    const floor = async (messages: readonly OutboundMessage[]): Promise<{ seconds: number; sends: number; read: number; checkpoint: number }> => {
      case_++;
      const sqs = new SQSClient({ region: REGION, endpoint: aws.sqs.endpoint, credentials: TEST_CREDENTIALS, useQueueUrlAsEndpoint: false, maxAttempts: 1 });
      addLatency(sqs, m.sqsMs);
      const queueUrl = await aws.sqs.createQueue(`floor-${case_}`);
      const publisher = new SqsPublisher(sqs, { queueUrl, fifo: false, maxBatchBytes: 262_144, concurrency: FLOOR_IN_FLIGHT });
      let started = process.hrtime.bigint();
      const sent = await publisher.publish(messages);
      const sends = Number(process.hrtime.bigint() - started) / 1e9;
      if (sent.sent.length !== messages.length) throw new Error('floor sends failed');
      await aws.sqs.drain(queueUrl);

      const logs = new CloudWatchLogsClient({ region: REGION, endpoint: aws.logs.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
      addLatency(logs, m.filterLogEventsMs);
      const group = `/aws/vpc/latency-${case_ - 1}`;
      started = process.hrtime.bigint();
      for (let page = 0; page < Math.ceil(ALERTS / 10_000); page++) {
        await logs.send(new FilterLogEventsCommand({ logGroupName: group, startTime: 0, endTime: aws.clock.ms, limit: 10_000, filterPattern: '?REJECT ?SKIPDATA' }));
      }
      const read = Number(process.hrtime.bigint() - started) / 1e9;

      const dynamo = new DynamoDBClient({ region: REGION, endpoint: aws.dynamo.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
      addLatency(dynamo, m.dynamoDbMs);
      await aws.dynamo.createCheckpointTable(`floor-${case_}`);
      const store = new DynamoDbCheckpointStore(dynamo, `floor-${case_}`);
      started = process.hrtime.bigint();
      await store.acquireLease('g', 'run', Date.now() + 60_000, Date.now());
      await store.load('g');
      await store.save('g', undefined, { watermark: 1 }, new SeenSet());
      await store.releaseLease('g', 'run');
      const checkpoint = Number(process.hrtime.bigint() - started) / 1e9;
      sqs.destroy();
      logs.destroy();
      dynamo.destroy();
      return { seconds: sends + read + checkpoint, sends, read, checkpoint };
    };

    for (const concurrency of (process.env["BENCH_CONCURRENCY"] ?? `4,${DEFAULT_SEND_CONCURRENCY}`).split(",").map(Number)) {
      let best: { seconds: number; floor: Awaited<ReturnType<typeof floor>>; calls: number } | undefined;
      for (let i = 0; i < RUNS; i++) {
        const sendBefore = aws.sqs.calls.get('SendMessageBatch') ?? 0;
        const measured = await run(concurrency);
        const calls = (aws.sqs.calls.get('SendMessageBatch') ?? 0) - sendBefore;
        const f = await floor(measured.messages);
        if (best === undefined || measured.seconds / f.seconds < best.seconds / best.floor.seconds) best = { seconds: measured.seconds, floor: f, calls };
      }
      if (best === undefined) continue;
      const f = best.floor;
      process.stdout.write(
        [
          `${concurrency} SendMessageBatch calls in flight${concurrency === DEFAULT_SEND_CONCURRENCY ? ' (the default)' : concurrency === 4 ? ' (the former default)' : ''}:`,
          `  run ${best.seconds.toFixed(2)} s, ${Math.round(ALERTS / best.seconds).toLocaleString('en-US')} alerts/s, ${best.calls} SendMessageBatch calls`,
          `  floor ${f.seconds.toFixed(2)} s (sends at ${FLOOR_IN_FLIGHT} in flight ${f.sends.toFixed(2)} s + ${Math.ceil(ALERTS / 10_000)} page read ${f.read.toFixed(2)} s + 4 checkpoint calls ${f.checkpoint.toFixed(2)} s)`,
          `  run / floor = ${(best.seconds / f.seconds).toFixed(2)}x`,
        ].join('\n') + '\n',
      );
    }
  } finally {
    await aws.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
