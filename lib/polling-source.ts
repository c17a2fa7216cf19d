import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CHECKPOINT_KEY, CHECKPOINT_TTL, ENV } from '../lambda/settings/settings-table';

/** The polling settings the function reads. */
export interface PollingSettings {
  readonly scheduleMinutes: number;
  readonly lookbackMinutes: number;
  readonly maxEventsPerRun: number;
  readonly maxCatchUpHours: number;
  readonly filterRequestsPerSecond: number;
}

/**
 * Poll mode's source: the checkpoint table (one item per log group, with its lease) and an
 * EventBridge Scheduler schedule that invokes the function every interval. The table is made first,
 * because the function's environment names it; {@link PollingSource.connect} then grants the
 * function its reads and writes and creates the schedule.
 */
export class PollingSource {
  /** One checkpoint item per log group; kept when the stack is deleted. */
  public readonly checkpointTable: dynamodb.Table;
  /** Set by {@link PollingSource.connect}. */
  public schedule?: scheduler.Schedule;

  public constructor(private readonly scope: Construct, private readonly settings: PollingSettings) {
    this.checkpointTable = new dynamodb.Table(scope, 'CheckpointTable', {
      partitionKey: { name: CHECKPOINT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: CHECKPOINT_TTL,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Losing the checkpoint would make every group start again from now: keep it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The function's polling environment. */
  public get environment(): Record<string, string> {
    return {
      [ENV.checkpointTable]: this.checkpointTable.tableName,
      [ENV.lookbackMinutes]: String(this.settings.lookbackMinutes),
      [ENV.maxEventsPerRun]: String(this.settings.maxEventsPerRun),
      [ENV.maxCatchUpHours]: String(this.settings.maxCatchUpHours),
      [ENV.filterRequestsPerSecond]: String(this.settings.filterRequestsPerSecond),
    };
  }

  /**
   * Grants `role` FilterLogEvents on the named groups (plus `extraGroupArns`) and its checkpoint
   * actions, and schedules `fn`, whose failed deliveries go to `deadLetterQueue`.
   */
  public connect(fn: lambda.IFunction, role: iam.Role, groupNames: readonly string[], extraGroupArns: readonly string[], deadLetterQueue: sqs.IQueue): void {
    const stack = Stack.of(this.scope);
    const groupArn = (name: string): string =>
      stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadFlowLogs', actions: ['logs:FilterLogEvents'], resources: [...groupNames.map(groupArn), ...extraGroupArns] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'Checkpoint',
        // UpdateItem takes and releases the per-group lease on the checkpoint item.
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
        resources: [this.checkpointTable.tableArn],
      }),
    );
    const interval = Duration.minutes(this.settings.scheduleMinutes);
    const schedulerRole = new iam.Role(this.scope, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'vpc-flow-alerts schedule: invokes the poll function',
    });
    this.schedule = new scheduler.Schedule(this.scope, 'Schedule', {
      schedule: scheduler.ScheduleExpression.rate(interval),
      description: `Runs the vpc-flow-alerts poll every ${interval.toHumanString()}`,
      target: new targets.LambdaInvoke(fn, { role: schedulerRole, retryAttempts: 3, maxEventAge: interval, deadLetterQueue }),
    });

    // cdk-nag: the ":*" suffixes are the only wildcards, each on one named resource.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const functionId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)) as string;
    const schedulerPolicy = schedulerRole.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (schedulerPolicy !== undefined) {
      Validations.of(schedulerPolicy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
        reason: 'The scheduler target grants lambda:InvokeFunction on this one function and its versions and aliases ("<function ARN>:*").',
      });
    }
    const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (policy === undefined) return;
    for (const name of groupNames) {
      if (Token.isUnresolved(name)) continue;
      Validations.of(policy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:${name}:*]`,
        reason: `logs:FilterLogEvents on the flow-log group ${name} only: ":*" is the log-group ARN form CloudWatch Logs authorizes, covering that one group's streams.`,
      });
    }
  }
}
