import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** What {@link AlertQueues} creates or imports. */
export interface AlertQueuesProps {
  /** An existing alert queue, by ARN; without it a new encrypted queue is created. */
  readonly alertQueueArn?: string;
  /** The existing queue's customer-managed KMS key. */
  readonly alertQueueKmsKeyArn?: string;
  /** Receives before an alert goes to the created queue's dead-letter queue. */
  readonly maxReceiveCount: number;
}

/**
 * The queues every mode shares: the alert queue (created, or an existing one), its dead-letter queue,
 * the quarantine queue for records the alert queue refuses, and the invocation dead-letter queue.
 * Every queue it creates is encrypted (SSE-SQS), TLS-only and keeps messages 14 days. The queues are
 * created directly in `scope`, so their logical ids (and the alert queue's URL) survive upgrades.
 */
export class AlertQueues {
  /** The queue alerts are sent to. */
  public readonly alertQueue: sqs.IQueue;
  /** The alert queue's dead-letter queue, when this construct created the alert queue. */
  public readonly alertDeadLetterQueue?: sqs.Queue;
  /** Records the alert queue refused even in minimal form, with the reason and the raw record. */
  public readonly quarantineQueue: sqs.Queue;
  /** Invocations that failed (schedule delivery, the function itself, given-up Kinesis batches). */
  public readonly invocationDeadLetterQueue: sqs.Queue;
  /** The existing queue's KMS key, when one was given. */
  public readonly alertQueueKey?: kms.IKey;

  public constructor(scope: Construct, props: AlertQueuesProps) {
    if (props.alertQueueArn === undefined) {
      this.alertDeadLetterQueue = secureQueue(scope, 'AlertDeadLetterQueue');
      this.alertQueue = secureQueue(scope, 'AlertQueue', { deadLetterQueue: { queue: this.alertDeadLetterQueue, maxReceiveCount: props.maxReceiveCount } });
    } else {
      if (props.alertQueueKmsKeyArn !== undefined) this.alertQueueKey = kms.Key.fromKeyArn(scope, 'AlertQueueKey', props.alertQueueKmsKeyArn);
      this.alertQueue = sqs.Queue.fromQueueAttributes(scope, 'AlertQueue', {
        queueArn: props.alertQueueArn,
        fifo: props.alertQueueArn.endsWith('.fifo'),
        ...(this.alertQueueKey !== undefined && { keyArn: this.alertQueueKey.keyArn }),
      });
    }
    this.quarantineQueue = secureQueue(scope, 'QuarantineQueue');
    this.invocationDeadLetterQueue = secureQueue(scope, 'InvocationDeadLetterQueue');

    for (const queue of [this.invocationDeadLetterQueue, this.alertDeadLetterQueue, this.quarantineQueue]) {
      if (queue === undefined) continue;
      Validations.of(queue).acknowledge({
        id: 'Serverless::Serverless-SQSRedrivePolicy',
        reason: 'This queue is itself a dead-letter queue; a redrive policy on it would only move failures further from the alarm that watches it.',
      });
    }
    Validations.of(this.invocationDeadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is a dead-letter queue: the target of the schedule\'s DeadLetterConfig and of the function\'s on-failure destination (not of a redrive policy, which is what the rule looks for).',
    });
    Validations.of(this.quarantineQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is a dead-letter queue: the function moves here the records the alert queue refused even in minimal form (not through a redrive policy, which is what the rule looks for).',
    });
  }

  /**
   * Lets `role` send alerts and quarantine records; on an alert queue this construct created, denies
   * `sqs:SendMessage` to every other principal but `otherSenderArns`, so no one can forge alerts.
   */
  public grantSend(role: iam.Role, otherSenderArns: readonly string[]): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'SendAlerts', actions: ['sqs:SendMessage'], resources: [this.alertQueue.queueArn, this.quarantineQueue.queueArn] }));
    if (this.alertQueueKey !== undefined) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'EncryptAlerts', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.alertQueueKey.keyArn] }));
    }
    if (this.alertQueue instanceof sqs.Queue) {
      this.alertQueue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyVpcFlowAlertsSends',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['sqs:SendMessage'],
          resources: [this.alertQueue.queueArn],
          conditions: { StringNotEquals: { 'aws:PrincipalArn': [role.roleArn, ...otherSenderArns] } },
        }),
      );
    }
  }

  /** The dead-letter queues to watch, labelled for alarms and the dashboard. */
  public get deadLetterQueues(): ReadonlyArray<{ readonly label: string; readonly queue: sqs.IQueue }> {
    return [
      ...(this.alertDeadLetterQueue === undefined ? [] : [{ label: 'alert queue', queue: this.alertDeadLetterQueue }]),
      { label: 'failed invocations', queue: this.invocationDeadLetterQueue },
      { label: 'quarantine', queue: this.quarantineQueue },
    ];
  }
}

/** An SQS queue with SQS-managed encryption, a TLS-only policy and 14-day retention. */
export function secureQueue(scope: Construct, id: string, extra: Partial<sqs.QueueProps> = {}): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...extra,
  });
}
