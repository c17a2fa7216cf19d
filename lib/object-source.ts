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
  /** The account that owns the bucket, when it is not this stack's: it may put the bucket's events on this account's default bus. */
  readonly bucketAccount?: string;
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

  /** The default bus's permission for the bucket's account, when it is another account's bucket. */
  public readonly busPolicy?: events.CfnEventBusPolicy;

  public constructor(scope: Construct, props: ObjectSourceProps) {
    const stack = Stack.of(scope);
    const owner = props.bucketAccount ?? stack.account;
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
        // S3 events carry the bucket owner's account, also when another account's rule forwards them.
        account: [owner],
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

    const objects = `${stack.formatArn({ service: 's3', region: '', account: '', resource: props.bucket })}/${props.prefix}*`;
    props.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadFlowLogObjects', actions: ['s3:GetObject'], resources: [objects],
      // Bucket names are global: a bucket of this name in any other account (deleted and re-created elsewhere) is never read.
      conditions: { StringEquals: { 's3:ResourceAccount': owner } },
    }));
    if (props.bucketAccount !== undefined && props.bucketAccount !== stack.account) {
      // A central log-archive account forwards the bucket's events with a rule on its own default bus.
      this.busPolicy = new events.CfnEventBusPolicy(scope, 'BucketAccountEvents', {
        eventBusName: 'default',
        statementId: `vpc-flow-alerts-${props.bucketAccount}-${scope.node.addr.slice(0, 16)}`,
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:${stack.partition}:iam::${props.bucketAccount}:root` },
          Action: 'events:PutEvents',
          Resource: stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
          Condition: { 'ForAllValues:StringEquals': { 'events:source': ['aws.s3'] }, StringEquals: { 'events:detail-type': 'Object Created' } },
        },
      });
    }
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
    // A bucket the stack creates is named at deploy: cdk-nag shows it as <LogicalId>.
    const ref = Token.isUnresolved(props.bucket) ? (stack.resolve(props.bucket) as { Ref?: unknown }).Ref : props.bucket;
    if (policy !== undefined && typeof ref === 'string') {
      const shown = Token.isUnresolved(props.bucket) ? `<${ref}>` : ref;
      Validations.of(policy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${shown}/${props.prefix}*]`,
        reason: `s3:GetObject on the objects under s3://${props.bucket}/${props.prefix} only: S3 authorizes object reads by key pattern, and flow logs write new keys every few minutes.`,
      });
    }
  }
}
