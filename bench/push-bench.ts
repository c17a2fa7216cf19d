/**
 * Push mode throughput: one 10,000-record subscription delivery through decode → normalize → send
 * to the local SQS endpoint, with the same publisher the Lambda uses. `npm run bench`.
 */
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SqsPublisher } from '../lambda/adapters/sqs-publisher';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../lambda/settings/metric-names';
import { compileFormat } from '../lambda/core/log-format';
import { decodeSubscriptionPayload } from '../lambda/core/subscription-payload';
import { createSubscribeHandler } from '../lambda/handlers/subscribe-handler';
import { flowLine } from '../local/local-aws';
import { startLocalSqs } from '../local/local-sqs';

const RECORDS = Number(process.env['BENCH_PUSH_RECORDS'] ?? 10_000);
const GROUP = '/aws/vpc/flowlogs';

async function main(): Promise<void> {
  process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  const sqs = await startLocalSqs();
  try {
    const queueUrl = await sqs.createQueue('push-bench');
    const t = Date.UTC(2026, 10, 25, 12);
    const payload = {
      messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: GROUP, logStream: 'eni-0a1b2c3d4e5f6a7b8-all', subscriptionFilters: ['vpc-flow-alerts'],
      logEvents: Array.from({ length: RECORDS }, (_, i) => ({ id: `3700000000000000000000000000000000000000000000${String(i).padStart(10, '0')}`, timestamp: t + i, message: flowLine(i, t + i) })),
    };
    const data = gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64');
    const subscriber = createSubscribeHandler({
      logger: new Logger({ serviceName: METRIC_SERVICE }),
      metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
      formats: new Map([[GROUP, compileFormat()]]),
      defaultFormat: compileFormat(),
      publisher: new SqsPublisher(sqs.client, { queueUrl, fifo: false, maxBatchBytes: 262_144 }),
      quarantine: new SqsPublisher(sqs.client, { queueUrl: `${queueUrl}-quarantine`, fifo: false, maxBatchBytes: 1_048_576 }),
      maxMessageBytes: 262_144,
      now: Date.now,
    });

    const decodeStart = process.hrtime.bigint();
    decodeSubscriptionPayload(data);
    const decodeSeconds = Number(process.hrtime.bigint() - decodeStart) / 1e9;
    const started = process.hrtime.bigint();
    await subscriber({ awslogs: { data } }, { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const received = (await sqs.drain(queueUrl)).length;
    process.stdout.write(
      [
        `push mode: one delivery of ${RECORDS.toLocaleString('en-US')} records (${(data.length / 1024).toFixed(0)} KiB base64 gzip), local SQS, node ${process.version}`,
        `  decode alone ${(decodeSeconds * 1000).toFixed(1)} ms; decode + normalize + send ${seconds.toFixed(2)} s = ${Math.round(RECORDS / seconds).toLocaleString('en-US')} records/s`,
        `  SendMessageBatch ${sqs.calls.get('SendMessageBatch') ?? 0} (minimum ceil(n/10) = ${Math.ceil(RECORDS / 10)}); ${received} received from the queue`,
      ].join('\n') + '\n',
    );
  } finally {
    await sqs.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
