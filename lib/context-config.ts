import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ConfigError } from '../lambda/core/errors';
import type { VpcFlowAlertsStackProps } from './vpc-flow-alerts-stack';
import type { FlowLogGroupSource } from './vpc-flow-alerts';

/** The CDK context keys this app reads (`cdk.json` or `-c key=value`). */
export const CONTEXT_KEYS = [
  'logGroups', 'logFormat', 'filterPattern', 'scheduleMinutes', 'functionTimeoutSeconds', 'memoryMiB',
  'alertQueueArn', 'alertQueueKmsKeyArn', 'alarmEmail', 'lookbackMinutes', 'maxEventsPerRun',
  'maxCatchUpHours', 'lagAlarmMinutes', 'flowLogVpcId', 'flowLogTrafficType', 'stackName', 'mode', 'kinesisShards',
  'reservedConcurrency', 'alertQueueSenderArns',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/**
 * Reads the stack settings from CDK context. `-c` values arrive as strings, `cdk.json` values as
 * JSON; both are accepted. Every problem is collected into one error naming the context key and the fix.
 *
 * @throws ConfigError naming each bad context key.
 */
export function stackPropsFromContext(get: (key: ContextKey) => unknown): Omit<VpcFlowAlertsStackProps, 'env'> & { stackName: string } {
  const problems: string[] = [];
  const settings: string[] = [];
  const fail = (key: ContextKey, message: string): void => {
    settings.push(key);
    problems.push(`context "${key}": ${message}`);
  };
  const text = (key: ContextKey): string | undefined => {
    const value = get(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    fail(key, 'must be a string');
    return undefined;
  };
  const whole = (key: ContextKey, min: number, max: number): number | undefined => {
    const raw = text(key);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      fail(key, `"${raw}" must be a whole number from ${min} to ${max}`);
      return undefined;
    }
    return value;
  };

  const logFormat = text('logFormat');
  const filterPattern = text('filterPattern');
  const logGroups = readGroups(get('logGroups'), logFormat, filterPattern, (m) => fail('logGroups', m));
  const scheduleMinutes = whole('scheduleMinutes', 1, 1440);
  const timeoutSeconds = whole('functionTimeoutSeconds', 30, 900);
  const memoryMiB = whole('memoryMiB', 128, 10240);
  const lookbackMinutes = whole('lookbackMinutes', 1, 1440);
  const maxEventsPerRun = whole('maxEventsPerRun', 1, 1_000_000);
  const maxCatchUpHours = whole('maxCatchUpHours', 1, 720);
  const lagAlarmMinutes = whole('lagAlarmMinutes', 1, 10_080);
  const alertQueueArn = text('alertQueueArn');
  const alertQueueKmsKeyArn = text('alertQueueKmsKeyArn');
  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) fail('alarmEmail', `"${alarmEmail}" is not an e-mail address`);
  const vpcId = text('flowLogVpcId');
  if (vpcId !== undefined && !/^vpc-[0-9a-f]{8,17}$/.test(vpcId)) fail('flowLogVpcId', `"${vpcId}" is not a VPC id (vpc-0123456789abcdef0)`);
  const trafficType = text('flowLogTrafficType');
  const trafficTypes: Record<string, ec2.FlowLogTrafficType> = { ALL: ec2.FlowLogTrafficType.ALL, REJECT: ec2.FlowLogTrafficType.REJECT, ACCEPT: ec2.FlowLogTrafficType.ACCEPT };
  if (trafficType !== undefined && trafficTypes[trafficType] === undefined) fail('flowLogTrafficType', `"${trafficType}" must be ALL, REJECT or ACCEPT`);
  const mode = text('mode');
  if (mode !== undefined && mode !== 'poll' && mode !== 'subscribe') fail('mode', `"${mode}" must be poll or subscribe`);
  const kinesisShards = whole('kinesisShards', 1, 500);
  const reservedConcurrency = whole('reservedConcurrency', 1, 1000);
  const senders = text('alertQueueSenderArns')?.split(',').map((a) => a.trim()).filter((a) => a !== '');
  for (const arn of senders ?? []) {
    if (!/^arn:aws[\w-]*:(iam::\d{12}:(role|user)\/[\w+=,.@/-]+|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/.test(arn)) {
      fail('alertQueueSenderArns', `"${arn}" is not an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)`);
    }
  }
  const stackName = text('stackName') ?? 'VpcFlowAlerts';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) fail('stackName', `"${stackName}" is not a CloudFormation stack name`);
  if (logGroups.length === 0 && vpcId === undefined) {
    fail('logGroups', 'give the flow-log group(s) to poll, e.g. -c logGroups=/aws/vpc/flowlogs (or -c flowLogVpcId=vpc-... to create a flow log)');
  }
  if (problems.length > 0) throw new ConfigError(`invalid CDK context:\n  ${problems.join('\n  ')}`, settings);

  return {
    stackName,
    ...(alarmEmail !== undefined && { alarmEmail }),
    alerts: {
      logGroups,
      ...((mode === 'poll' || mode === 'subscribe') && { mode }),
      ...(kinesisShards !== undefined && { kinesisShards }),
      ...(reservedConcurrency !== undefined && { reservedConcurrency }),
      ...(senders !== undefined && senders.length > 0 && { alertQueueSenderArns: senders }),
      ...(vpcId !== undefined && { flowLog: { vpcId, ...(trafficType !== undefined && { trafficType: trafficTypes[trafficType] }) } }),
      ...(scheduleMinutes !== undefined && { schedule: Duration.minutes(scheduleMinutes) }),
      ...(timeoutSeconds !== undefined && { functionTimeout: Duration.seconds(timeoutSeconds) }),
      ...(memoryMiB !== undefined && { memorySize: memoryMiB }),
      ...(lookbackMinutes !== undefined && { lookback: Duration.minutes(lookbackMinutes) }),
      ...(maxEventsPerRun !== undefined && { maxEventsPerRun }),
      ...(maxCatchUpHours !== undefined && { maxCatchUp: Duration.hours(maxCatchUpHours) }),
      ...(lagAlarmMinutes !== undefined && { lagAlarmThreshold: Duration.minutes(lagAlarmMinutes) }),
      ...(alertQueueArn !== undefined && { alertQueueArn }),
      ...(alertQueueKmsKeyArn !== undefined && { alertQueueKmsKeyArn }),
    },
  };
}

/**
 * `logGroups` is a comma-separated list of names (`-c logGroups=/a,/b`, sharing `logFormat` and
 * `filterPattern`), or a JSON array of names or `{logGroupName, logFormat?, filterPattern?}` objects.
 */
function readGroups(value: unknown, logFormat: string | undefined, filterPattern: string | undefined, fail: (m: string) => void): FlowLogGroupSource[] {
  if (value === undefined || value === null || value === '') return [];
  let items: unknown = value;
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      items = JSON.parse(value);
    } catch {
      fail('is not valid JSON; give names separated by commas, or a JSON array');
      return [];
    }
  }
  const list = typeof items === 'string' ? items.split(',').map((s) => s.trim()).filter((s) => s !== '') : items;
  if (!Array.isArray(list)) {
    fail('must be log group names separated by commas, or a JSON array');
    return [];
  }
  const shared = { ...(logFormat !== undefined && { logFormat }), ...(filterPattern !== undefined && { filterPattern }) };
  const groups: FlowLogGroupSource[] = [];
  for (const item of list as unknown[]) {
    if (typeof item === 'string') {
      groups.push({ logGroupName: item, ...shared });
    } else if (typeof item === 'object' && item !== null && typeof (item as Record<string, unknown>)['logGroupName'] === 'string') {
      const entry = item as Record<string, unknown>;
      const format = entry['logFormat'];
      const pattern = entry['filterPattern'];
      groups.push({
        logGroupName: entry['logGroupName'] as string,
        ...(typeof format === 'string' ? { logFormat: format } : shared.logFormat !== undefined ? { logFormat: shared.logFormat } : {}),
        ...(typeof pattern === 'string' ? { filterPattern: pattern } : shared.filterPattern !== undefined ? { filterPattern: shared.filterPattern } : {}),
      });
    } else {
      fail(`entry ${JSON.stringify(item)} must be a name or {"logGroupName": "...", "logFormat"?: "...", "filterPattern"?: "..."}`);
    }
  }
  return groups;
}
