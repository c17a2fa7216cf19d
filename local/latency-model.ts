/**
 * An AWS-like latency model for local endpoints: every request a client sends waits a fixed time
 * first, as a round trip to AWS would. Loopback answers in well under a millisecond, which hides
 * how many calls a run makes one after another.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** Milliseconds each request waits, per service. */
export interface LatencyModel {
  readonly filterLogEventsMs: number;
  readonly sqsMs: number;
  readonly dynamoDbMs: number;
}

/** FilterLogEvents 150 ms a page, SendMessageBatch 20 ms, DynamoDB 8 ms (issue 8's model). */
export const AWS_LIKE_LATENCY: LatencyModel = { filterLogEventsMs: 150, sqsMs: 20, dynamoDbMs: 8 };

/** Adds `ms` of latency to every request `client` sends. */
export function addLatency(client: CloudWatchLogsClient | SQSClient | DynamoDBClient, ms: number): void {
  if (ms <= 0) return;
  (client as SQSClient).middlewareStack.add(
    (next) => async (args) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'latencyModel' },
  );
}
