import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** What {@link scheduleFunction} makes. */
export interface FunctionScheduleProps {
  readonly minutes: number;
  /** Says what the runs do, in the schedule's description and its role's. */
  readonly purpose: string;
  /** The event the function receives. @default `{}` */
  readonly input?: Record<string, string>;
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * An EventBridge Scheduler schedule that invokes `fn` every `minutes` (3 retries, then the
 * dead-letter queue), through a role only the scheduler of this account may assume.
 */
export function scheduleFunction(scope: Construct, fn: lambda.IFunction, props: FunctionScheduleProps): scheduler.Schedule {
  const stack = Stack.of(scope);
  const interval = Duration.minutes(props.minutes);
  const role = new iam.Role(scope, 'ScheduleRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    description: `vpc-flow-alerts schedule: ${props.purpose}`,
  });
  const schedule = new scheduler.Schedule(scope, 'Schedule', {
    schedule: scheduler.ScheduleExpression.rate(interval),
    description: `vpc-flow-alerts: ${props.purpose} every ${interval.toHumanString()}`,
    target: new targets.LambdaInvoke(fn, {
      role, retryAttempts: 3, maxEventAge: interval, deadLetterQueue: props.deadLetterQueue,
      ...(props.input !== undefined && { input: scheduler.ScheduleTargetInput.fromObject(props.input) }),
    }),
  });
  const functionId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)) as string;
  const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  if (policy !== undefined) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason: 'The scheduler target grants lambda:InvokeFunction on this one function and its versions and aliases ("<function ARN>:*").',
    });
  }
  return schedule;
}
