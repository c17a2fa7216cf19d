import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../lambda/settings/settings-table';
import { scheduleFunction } from './function-schedule';

/** The polling settings the function reads. */
export interface PollingSettings {
  readonly scheduleMinutes: number;
  readonly lookbackMinutes: number;
  readonly maxEventsPerRun: number;
  readonly maxCatchUpHours: number;
  readonly filterRequestsPerSecond: number;
}

/**
 * Poll mode's source: the checkpoint table's grants (one item per log group, with its lease) and
 * an EventBridge Scheduler schedule that invokes the function every interval.
 * {@link PollingSource.connect} grants the function its reads and writes and creates the schedule.
 */
export class PollingSource {
  /** Set by {@link PollingSource.connect}. */
  public schedule?: scheduler.Schedule;

  public constructor(private readonly scope: Construct, private readonly settings: PollingSettings, public readonly checkpointTable: dynamodb.Table) {}

  /** The function's polling environment. */
  public get environment(): Record<string, string> {
    return {
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
    this.schedule = scheduleFunction(this.scope, fn, { minutes: this.settings.scheduleMinutes, purpose: 'runs the poll', deadLetterQueue });

    // cdk-nag: the ":*" suffixes are the only wildcards, each on one named resource.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
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
