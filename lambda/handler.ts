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
import { SqsPublisher } from './adapters/sqs-publisher';
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
const sqs = new SQSClient({ useQueueUrlAsEndpoint: process.env['AWS_ENDPOINT_URL_SQS'] === undefined });
const throttles = new Map<string, number>();

export const handler = createPoller({
  config,
  logger,
  metrics,
  throttles,
  source: new CloudWatchLogSource(new CloudWatchLogsClient({}), {
    limiter: new RateLimiter(config.filterRequestsPerSecond),
    onThrottle: (group) => throttles.set(group, (throttles.get(group) ?? 0) + 1),
  }),
  publisher: new SqsPublisher(sqs, { queueUrl: config.queueUrl, fifo: config.fifo, maxBatchBytes: config.maxMessageBytes }),
  checkpoints: new DynamoDbCheckpointStore(new DynamoDBClient({}), config.checkpointTable),
});
