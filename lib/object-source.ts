import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { secureQueue } from './alert-queues';

/** What {@link ObjectSource} connects. */
export interface ObjectSourceProps {
  readonly function: lambda.IFunction;
  readonly role: iam.Role;
  /** The bucket's name. */
  readonly bucket: string;
  readonly prefix: string;
  /** The bucket's SSE-KMS key, when it has one. */
  readonly kmsKeyArn?: string;
  readonly functionTimeoutSeconds: number;
  /** Deliveries of a notification before it goes to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/**
 * The S3 source: an EventBridge rule on the default bus that sends the bucket's "Object Created"
 * events under the prefix to an encrypted, TLS-only notification queue (with a dead-letter queue),
 * which the function reads in batches with partial batch responses. EventBridge rather than S3
 * event notifications: a bucket has one notification configuration, which a central log-archive
 * bucket usually already uses, while sending its events to EventBridge is one bucket setting that
 * leaves the rest alone. The function may read objects under the prefix, and decrypt with the
 * given key, and nothing else.
 */
export class ObjectSource {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly rule: events.Rule;

  public constructor(scope: Construct, props: ObjectSourceProps) {
    this.deadLetterQueue = secureQueue(scope, 'NotificationDeadLetterQueue');
    // Longer than a run can take, so a message is not handed to a second run while the first reads it.
    this.queue = secureQueue(scope, 'NotificationQueue', {
      visibilityTimeout: Duration.seconds(Math.min(43_200, props.functionTimeoutSeconds * 6)),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
    this.rule = new events.Rule(scope, 'ObjectCreatedRule', {
      description: `vpc-flow-alerts: new flow-log objects in s3://${props.bucket}/${props.prefix}`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.bucket] }, ...(props.prefix !== '' && { object: { key: [{ prefix: props.prefix }] } }) },
      },
      targets: [new eventTargets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });
    const source = new eventSources.SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxBatchingWindow: Duration.seconds(5) });
    props.function.addEventSource(source);
    const mapping = props.function.node.children.find((c) => c.node.id.startsWith('SqsEventSource:'));
    if (mapping !== undefined) {
      Validations.of(mapping).acknowledge({
        id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
        reason: 'An SQS event source keeps its failures on the queue itself: a message the function cannot finish is delivered again and, after maxReceiveCount, moved by the redrive policy to NotificationDeadLetterQueue (on-failure destinations are for stream sources).',
      });
    }

    const stack = Stack.of(scope);
    const objects = `${stack.formatArn({ service: 's3', region: '', account: '', resource: props.bucket })}/${props.prefix}*`;
    props.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadFlowLogObjects', actions: ['s3:GetObject'], resources: [objects] }));
    if (props.kmsKeyArn !== undefined) {
      props.role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'DecryptFlowLogObjects', actions: ['kms:Decrypt'], resources: [props.kmsKeyArn],
        // Through S3 only, in the key's (the bucket's) region.
        conditions: { StringEquals: { 'kms:ViaService': `s3.${props.kmsKeyArn.split(':')[3] ?? stack.region}.amazonaws.com` } },
      }));
    }
    Validations.of(this.deadLetterQueue.node.defaultChild ?? this.deadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason: 'This queue is the notification queue\'s dead-letter queue (its redrive target) and the rule target\'s dead-letter queue: it needs none of its own.',
      },
      {
        id: 'Serverless::Serverless-SQSRedrivePolicy',
        reason: 'This queue is the notification queue\'s dead-letter queue (its redrive target) and the rule target\'s dead-letter queue: it needs no redrive policy of its own.',
      },
    );
    const policy = props.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (policy !== undefined && !Token.isUnresolved(props.bucket)) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${props.bucket}/${props.prefix}*]`,
        reason: `s3:GetObject on the objects under s3://${props.bucket}/${props.prefix} only: S3 authorizes object reads by key pattern, and flow logs write new keys every few minutes.`,
      });
    }
  }
}
