/**
 * The Lambda entry point: reads and validates the configuration once at cold start (a bad
 * setting fails the init with one error naming every bad variable), creates the SDK clients
 * once, and wires the poller.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchLogSource } from './adapters/cloudwatch-log-source';
import { DynamoDbCheckpointStore } from './adapters/dynamodb-checkpoint-store';
import { RateLimiter } from './adapters/rate-limiter';
import { SQS_MAX_BYTES, SqsPublisher } from './adapters/sqs-publisher';
import { readConfig } from './app/config';
import { METRIC_NAMESPACE, METRIC_SERVICE } from './app/metric-names';
import { createPoller } from './poller';

const logger = new Logger({ serviceName: METRIC_SERVICE });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE });

const config = (() => {
  try {
    return readConfig(process.env);
  } catch (error) {
    logger.error('configuration rejected at cold start', error as Error);
    throw error;
  }
})();

// With a local endpoint (AWS_ENDPOINT_URL_SQS) queue URLs name a host that only the endpoint serves.
// Retries live in the adapters (maxAttempts: 1 here): every FilterLogEvents attempt passes the rate
// limiter and every throttle is counted; SendMessageBatch entries are retried one by one.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: process.env['AWS_ENDPOINT_URL_SQS'] === undefined, maxAttempts: 1 });

export const handler = createPoller({
  config,
  logger,
  metrics,
  source: new CloudWatchLogSource(new CloudWatchLogsClient({ maxAttempts: 1 }), { limiter: new RateLimiter(config.filterRequestsPerSecond) }),
  publisher: new SqsPublisher(sqs, { queueUrl: config.queueUrl, fifo: config.fifo, maxBatchBytes: config.maxMessageBytes }),
  quarantine: new SqsPublisher(sqs, { queueUrl: config.quarantineQueueUrl, fifo: false, maxBatchBytes: SQS_MAX_BYTES }),
  // DynamoDB keeps the SDK's standard retry: the store adds none of its own to single-item calls.
  checkpoints: new DynamoDbCheckpointStore(new DynamoDBClient({}), config.checkpointTable),
});
