import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as logDestinations from 'aws-cdk-lib/aws-logs-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** One subscribed log group: its name, filter pattern, and the group itself when this stack creates it. */
export interface SubscribedGroup {
  readonly logGroupName: string;
  readonly filterPattern: string;
  readonly logGroup?: logs.ILogGroup;
}

/** What {@link SubscriptionSource} connects. */
export interface SubscriptionSourceProps {
  readonly function: lambda.IFunction;
  readonly groups: readonly SubscribedGroup[];
  /** Route deliveries through a Kinesis stream with this many shards. */
  readonly kinesisShards?: number;
  /** Where the stream's given-up batches are recorded. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * Push mode's source: one subscription filter per log group, invoking the function directly (a
 * permission scoped to that group's ARN) or writing to an encrypted Kinesis stream the function
 * reads with batching, bisect-on-error and partial batch responses, retried until records expire
 * (7 days); the dead-letter queue then records the shard and sequence range it gave up.
 */
export class SubscriptionSource {
  public readonly subscriptionFilters: logs.SubscriptionFilter[] = [];
  /** The stream deliveries go through, with `kinesisShards`. */
  public readonly stream?: kinesis.Stream;

  public constructor(scope: Construct, props: SubscriptionSourceProps) {
    let destination: logs.ILogSubscriptionDestination;
    if (props.kinesisShards === undefined) {
      destination = new logDestinations.LambdaDestination(props.function);
    } else {
      this.stream = new kinesis.Stream(scope, 'DeliveryStream', {
        shardCount: props.kinesisShards,
        encryption: kinesis.StreamEncryption.MANAGED,
        // A week of retention: batches that cannot be sent are retried until the records expire,
        // and the dead-letter queue would only get their shard and sequence numbers.
        retentionPeriod: Duration.days(7),
      });
      destination = new logDestinations.KinesisDestination(this.stream, { role: subscriptionRole(scope, props.groups) });
      props.function.addEventSource(
        new eventSources.KinesisEventSource(this.stream, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: 100,
          maxBatchingWindow: Duration.seconds(5),
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          // No retry or age limit: a batch is retried until its records leave the stream.
          onFailure: new eventSources.SqsDlq(props.deadLetterQueue),
        }),
      );
    }
    props.groups.forEach((group, index) => {
      this.subscriptionFilters.push(
        new logs.SubscriptionFilter(scope, `Subscription${index}`, {
          logGroup: group.logGroup ?? logs.LogGroup.fromLogGroupName(scope, `SubscribedGroup${index}`, group.logGroupName),
          destination,
          filterPattern: group.filterPattern === '' ? logs.FilterPattern.allEvents() : logs.FilterPattern.literal(group.filterPattern),
          filterName: 'vpc-flow-alerts',
        }),
      );
    });
  }
}

/**
 * The role CloudWatch Logs assumes to write to the stream. Its trust policy names this account and
 * the subscribed log groups (`aws:SourceAccount`, `aws:SourceArn`), so no other account or log group
 * can make CloudWatch Logs write to the stream through it (the confused-deputy problem).
 */
function subscriptionRole(scope: Construct, groups: readonly SubscribedGroup[]): iam.Role {
  const stack = Stack.of(scope);
  const groupArns = groups.flatMap((g) => {
    const arn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: g.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    return [arn, `${arn}:*`];
  });
  return new iam.Role(scope, 'SubscriptionRole', {
    assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': groupArns } },
    }),
    description: 'vpc-flow-alerts: CloudWatch Logs writes the subscribed flow-log groups to the delivery stream',
  });
}
