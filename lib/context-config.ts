import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { LogGroupSetting, SettingValues } from '../lambda/settings/check-settings';
import { checkLogGroups, checkTogether, closestKey, CONTEXT_NAMING, readSetting, SettingProblems } from '../lambda/settings/check-settings';
import type { SettingKey } from '../lambda/settings/settings-table';
import { CONTEXT_SETTINGS, SETTINGS } from '../lambda/settings/settings-table';
import type { VpcFlowAlertsStackProps } from './vpc-flow-alerts-stack';
import type { FlowLogGroupSource, VpcFlowAlertsProps } from './vpc-flow-alerts';

/** Context keys the CDK CLI writes or reads itself (`cdk acknowledge` writes the first to cdk.context.json). */
const CLI_KEYS: ReadonlySet<string> = new Set(['acknowledged-issue-numbers', 'cli-telemetry', 'notices', 'language', 'versionReporting', 'assetMetadata', 'pathMetadata']);

/**
 * Context keys CDK owns, not settings of this app: feature flags (`@aws-cdk/...`), `aws:cdk:` settings,
 * lookup caches (keys with `:`), the CLI's own keys, and kebab-case keys (this app's are camelCase)
 * unless one is a near miss of a setting (`log-groups`), which is reported.
 */
function isCdkKey(key: string): boolean {
  if (key.startsWith('@') || key.startsWith('aws:') || key.startsWith('aws-cdk') || key.includes(':') || CLI_KEYS.has(key)) return true;
  return key.includes('-') && closestKey(key.replace(/-/g, '')) === undefined;
}

const KNOWN: ReadonlySet<string> = new Set(CONTEXT_SETTINGS.map((s) => s.key));

/**
 * Reads the stack settings from all of the app's CDK context (`cdk.json` and `-c key=value`), with
 * the ranges, defaults and modes of the settings table. `-c` values arrive as strings, `cdk.json`
 * values as JSON; both are accepted, and an empty value is a value (`-c filterPattern=` reads
 * everything; `-c logGroups=` gives none). An unknown key fails with the closest known one; a
 * setting of the other mode fails with the mode that uses it.
 *
 * @throws ConfigError naming each bad context key, the value given and a value that works.
 */
export function stackPropsFromContext(context: Readonly<Record<string, unknown>>): Omit<VpcFlowAlertsStackProps, 'env'> & { stackName: string } {
  const problems = new SettingProblems();
  for (const key of Object.keys(context)) {
    if (isCdkKey(key) || KNOWN.has(key)) continue;
    const near = closestKey(key.replace(/-/g, '')) ?? closestKey(key);
    problems.add(key, `${key} is not a setting${near === undefined ? '' : `: did you mean ${near}?`} (the README lists every setting)`);
  }
  const given = new Set<SettingKey>();
  const values: Record<string, unknown> = {};
  for (const spec of CONTEXT_SETTINGS) {
    if (spec.key === 'logGroups' || !(spec.key in context)) continue;
    given.add(spec.key as SettingKey);
    values[spec.key] = readSetting(spec, context[spec.key], CONTEXT_NAMING, problems);
  }
  const v = values as SettingValues;
  // The usual flow-log group unless the stack creates a flow log or reads S3: `npx cdk deploy`
  // works as it is, and `-c mode=s3` needs no `-c logGroups=` to turn it off.
  const groupsGiven = 'logGroups' in context ? context['logGroups'] : v.flowLogVpcId === undefined && v.mode !== 's3' ? SETTINGS.logGroups.example : undefined;
  const logGroups = readGroups(groupsGiven, v.logFormat, 'filterPattern' in context ? v.filterPattern : undefined, problems);
  if ('logGroups' in context) given.add('logGroups');
  if (logGroups.length === 0 && v.flowLogVpcId === undefined && v.mode !== 's3') {
    problems.add('logGroups', `logGroups is empty; give the flow-log group(s) to read, e.g. ${CONTEXT_NAMING.fix(SETTINGS.logGroups, SETTINGS.logGroups.example)} (or -c flowLogVpcId=vpc-... to create a flow log)`);
  }
  checkLogGroups(logGroups, CONTEXT_NAMING, problems);
  checkTogether(v, given, CONTEXT_NAMING, problems);
  problems.throwIfAny();

  const trafficTypes: Record<string, ec2.FlowLogTrafficType> = { ALL: ec2.FlowLogTrafficType.ALL, REJECT: ec2.FlowLogTrafficType.REJECT, ACCEPT: ec2.FlowLogTrafficType.ACCEPT };
  const common = {
    logGroups,
    ...(v.flowLogVpcId !== undefined && {
      flowLog: { vpcId: v.flowLogVpcId, ...(v.flowLogTrafficType !== undefined && { trafficType: trafficTypes[v.flowLogTrafficType] }) },
    }),
    ...pick(v, ['functionTimeoutSeconds', 'memoryMiB', 'reservedConcurrency', 'maxMessageBytes', 'alertQueueArn', 'alertQueueKmsKeyArn', 'alertQueueSenderArns', 'alertQueueMaxReceiveCount', 'internalCidrs', 'severityProfile', 'severityRules',
      'alertMode', 'scanPortThreshold', 'sweepHostThreshold', 'findingWindowMinutes', 'allowlistCidrs', 'lookbackMinutes', 'outputFormat']),
  };
  const alerts: VpcFlowAlertsProps =
    v.mode === 's3'
      ? {
          ...common, logGroups: undefined,
          ...pick(v, ['flowLogBucket', 'flowLogPrefix', 'flowLogBucketKmsKeyArn', 'flowLogBucketAccount']),
          mode: 's3',
        }
      : v.mode === 'subscribe'
      ? { ...common, mode: 'subscribe', ...pick(v, ['kinesisShards']) }
      : { ...common, ...(v.mode === 'poll' && { mode: 'poll' as const }), ...pick(v, ['scheduleMinutes', 'maxEventsPerRun', 'maxCatchUpHours', 'filterRequestsPerSecond', 'lagAlarmMinutes']) };
  return {
    stackName: v.stackName ?? SETTINGS.stackName.default,
    ...(v.alarmEmail !== undefined && { alarmEmail: v.alarmEmail }),
    alerts,
  };
}

/** The given settings among `keys`, without the absent ones. */
function pick<K extends SettingKey>(values: SettingValues, keys: readonly K[]): Pick<SettingValues, K> {
  const out: Partial<SettingValues> = {};
  for (const key of keys) if (values[key] !== undefined) (out as Record<string, unknown>)[key] = values[key];
  return out as Pick<SettingValues, K>;
}

/**
 * `logGroups` is a comma-separated list of names (`-c logGroups=/a,/b`, sharing `logFormat` and
 * `filterPattern`), or a JSON array of names or `{logGroupName, logFormat?, filterPattern?}` objects.
 */
function readGroups(value: unknown, logFormat: string | undefined, filterPattern: string | undefined, problems: SettingProblems): FlowLogGroupSource[] {
  const spec = SETTINGS.logGroups;
  const fail = (message: string): FlowLogGroupSource[] => {
    problems.add(spec.key, `logGroups=${JSON.stringify(value)?.slice(0, 80)} ${message}; e.g. ${CONTEXT_NAMING.fix(spec, spec.example)}`);
    return [];
  };
  if (value === undefined || value === null || value === '') return [];
  let items: unknown = value;
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      items = JSON.parse(value);
    } catch {
      return fail('is not valid JSON; give names separated by commas, or a JSON array');
    }
  }
  const list = typeof items === 'string' ? items.split(',').map((s) => s.trim()).filter((s) => s !== '') : items;
  if (!Array.isArray(list)) return fail('must be log group names separated by commas, or a JSON array');
  const shared: Omit<LogGroupSetting, 'logGroupName'> = { ...(logFormat !== undefined && { logFormat }), ...(filterPattern !== undefined && { filterPattern }) };
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
      fail(`has the entry ${JSON.stringify(item)}, which must be a name or {"logGroupName": "...", "logFormat"?: "...", "filterPattern"?: "..."}`);
    }
  }
  return groups;
}
