import { Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { SettingValues } from '../lambda/settings/check-settings';
import { checkLogGroups, checkTogether, PROPS_NAMING, readSetting, SETTINGS_ERROR_HEADER, SettingProblems } from '../lambda/settings/check-settings';
import type { Mode, SettingKey } from '../lambda/settings/settings-table';
import { bucketName, DEFAULT_FILTER_PATTERN, ENV, SETTINGS } from '../lambda/settings/settings-table';
import { AlertQueues } from './alert-queues';
import { AlertsFunction } from './alerts-function';
import type { FlowLogOptions } from './flow-log';
import { VpcFlowLog } from './flow-log';
import { BucketFlowLog } from './bucket-flow-log';
import { AlertsMonitoring } from './monitoring';
import { scheduleFunction } from './function-schedule';
import { PollingSource } from './polling-source';
import { stateTable } from './state-table';
import { SubscriptionSource } from './subscription-source';
import { ObjectSource } from './object-source';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { AlertMode } from '../lambda/core/finding';
import type { OutputFormat } from '../lambda/core/contract-version';
import { CLOSE_FINDINGS_EVENT } from '../lambda/settings/settings-table';

export { SETTINGS_ERROR_HEADER };

/** One flow-log group to read. */
export interface FlowLogGroupSource {
  /** The CloudWatch Logs group the VPC flow log publishes to. */
  readonly logGroupName: string;
  /**
   * The flow log's `LogFormat`, as `aws ec2 describe-flow-logs` shows it.
   * @default the default (version 2) format
   */
  readonly logFormat?: string;
  /**
   * CloudWatch Logs filter pattern selecting the records to alert on; `''` selects all.
   * @default '?REJECT ?SKIPDATA'
   */
  readonly filterPattern?: string;
}

/** How records reach the function. */
export type AlertsMode = Mode;

/** Settings every mode shares. Numbers are in the units their names say, as in the settings table. */
export interface VpcFlowAlertsCommonProps {
  /**
   * Flow-log groups to read. The function may read these and nothing else.
   * @default none: required unless `flowLog` is set
   */
  readonly logGroups?: readonly FlowLogGroupSource[];
  /**
   * Also create a VPC flow log for this VPC, with a recommended custom format that the function is
   * given automatically: to a new CloudWatch Logs group, or in `s3` mode to a new bucket (instead of
   * `flowLogBucket`).
   * @default no flow log is created
   */
  readonly flowLog?: FlowLogOptions;
  /**
   * An existing alert queue to send to, by ARN (standard or `.fifo`).
   * @default a new encrypted queue with its own dead-letter queue
   */
  readonly alertQueueArn?: string;
  /**
   * The customer-managed KMS key that encrypts the existing `alertQueueArn`, if any; the function
   * gets kms:GenerateDataKey and kms:Decrypt on it.
   * @default the queue uses SQS-managed encryption or none
   */
  readonly alertQueueKmsKeyArn?: string;
  /**
   * IAM role or user ARNs, besides the function's role, that may send to the alert queue this
   * construct creates (a test tool, say). Everyone else is denied `sqs:SendMessage` by the queue's
   * policy, so no one can put forged alerts on it. Ignored with `alertQueueArn`.
   * @default only the function's role
   */
  readonly alertQueueSenderArns?: readonly string[];
  /**
   * How often consumers may receive an alert before it goes to the alert queue's dead-letter queue (1-1000).
   * @default 5
   */
  readonly alertQueueMaxReceiveCount?: number;
  /**
   * The function's timeout in seconds; in `poll` mode shorter than the interval.
   * @default 240
   */
  readonly functionTimeoutSeconds?: number;
  /**
   * The function's memory.
   * @default 512
   */
  readonly memoryMiB?: number;
  /**
   * Reserved concurrency for the function. Overlapping poll runs need none: each log group is
   * leased to one run at a time. Reserving any takes it from the account's unreserved pool, which
   * must keep 10; new accounts have only 10 in all, so a reservation there fails the deploy.
   * @default no reservation
   */
  readonly reservedConcurrency?: number;
  /**
   * Largest SQS message; an oversize alert is cut to fit.
   * @default 262144
   */
  readonly maxMessageBytes?: number;
  /**
   * Networks that count as private besides RFC 1918, RFC 6598, loopback, link-local and IPv6
   * ULA/link-local: your own public ranges, say. They decide `src_scope`, `dst_scope` and `direction`.
   * @default none
   */
  readonly internalCidrs?: readonly string[];
  /**
   * `seed`: REJECT medium, ACCEPT low, NODATA/SKIPDATA info. `exposure`: severity from where the flow
   * goes (internal and outbound REJECT high, internet probes low, medium on administrative ports).
   * @default 'seed'
   */
  readonly severityProfile?: 'seed' | 'exposure';
  /**
   * First-match severity rules applied before the profile, as JSON (see docs/alert-contract.md),
   * checked at synth.
   * @default none
   */
  readonly severityRules?: string;
  /**
   * `native`: the alert contract (docs/alert-contract.md). `ocsf`: OCSF 1.1.0 Network Activity
   * events and Detection Findings (docs/ocsf.md).
   * @default 'native'
   */
  readonly outputFormat?: OutputFormat;
  /**
   * `flows`: one alert per flow. `findings`: port scans, host sweeps, blocked lateral and egress
   * traffic and per-interface summaries, plus `high` flows; other flows are only counted. `both`:
   * everything (docs/alert-contract.md, "Findings").
   * @default 'flows'
   */
  readonly alertMode?: AlertMode;
  /**
   * Distinct ports one destination rejects one source on, within a window, that make a `port_scan` (2-64).
   * @default 10
   */
  readonly scanPortThreshold?: number;
  /**
   * Distinct destinations that reject one source, within a window, that make a `host_sweep` (2-64).
   * @default 10
   */
  readonly sweepHostThreshold?: number;
  /**
   * Length of the finding windows, in minutes (aligned to the epoch).
   * @default 60
   */
  readonly findingWindowMinutes?: number;
  /**
   * Sources that never count toward findings and, in `findings` mode, are not sent (your scanners).
   * @default none
   */
  readonly allowlistCidrs?: readonly string[];
  /**
   * How late after its own timestamp a record may arrive and still be delivered (poll mode) or
   * counted in its window's findings (push mode; `s3` mode: after its object was written), in minutes.
   * @default 15
   */
  readonly lookbackMinutes?: number;
  /**
   * Where alarms notify.
   * @default no notification: alarms show on the dashboard and in the console
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Retention of the function's own log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** `poll` mode: a schedule invokes the function, which reads with FilterLogEvents and keeps a checkpoint. */
export interface VpcFlowAlertsPollProps extends VpcFlowAlertsCommonProps {
  /** @default 'poll' */
  readonly mode?: 'poll';
  /**
   * How often the function runs, in minutes.
   * @default 5
   */
  readonly scheduleMinutes?: number;
  /**
   * Alerts sent per invocation, all log groups together.
   * @default 5000
   */
  readonly maxEventsPerRun?: number;
  /**
   * How far back runs reach after an outage, in hours; older records are reported with a replay command.
   * @default 24
   */
  readonly maxCatchUpHours?: number;
  /**
   * FilterLogEvents requests a second, all log groups together (the account quota is 5).
   * @default 4
   */
  readonly filterRequestsPerSecond?: number;
  /**
   * The lag alarm fires when the function is this many minutes behind, or silent for three periods.
   * @default 30
   */
  readonly lagAlarmMinutes?: number;
  /** Push mode only. */
  readonly kinesisShards?: never;
}

/** `subscribe` mode: one subscription filter per log group pushes matching records as they are ingested. */
export interface VpcFlowAlertsSubscribeProps extends VpcFlowAlertsCommonProps {
  readonly mode: 'subscribe';
  /**
   * Route deliveries through a Kinesis data stream with this many shards (batching,
   * bisect-on-error, partial batch responses), for very high volume.
   * @default no stream: the subscription filters invoke the function directly
   */
  readonly kinesisShards?: number;
  /** Poll mode only. */
  readonly scheduleMinutes?: never;
  /** Poll mode only. */
  readonly maxEventsPerRun?: never;
  /** Poll mode only. */
  readonly maxCatchUpHours?: never;
  /** Poll mode only. */
  readonly filterRequestsPerSecond?: never;
  /** Poll mode only. */
  readonly lagAlarmMinutes?: never;
}

/** `s3` mode: flow logs delivered to an S3 bucket, read as EventBridge announces new objects. */
export interface VpcFlowAlertsS3Props extends Omit<VpcFlowAlertsCommonProps, 'logGroups'> {
  readonly mode: 's3';
  /**
   * The bucket the flow logs are delivered to, by name or ARN (this account, or a central
   * log-archive bucket in `flowLogBucketAccount`). Its "Object Created" events must reach this
   * account's default EventBridge bus (README, "S3 source").
   * @default none: required unless `flowLog` creates a flow log to a new bucket
   */
  readonly flowLogBucket?: string;
  /**
   * Read only objects under this key prefix.
   * @default '' (the whole bucket)
   */
  readonly flowLogPrefix?: string;
  /**
   * The bucket's SSE-KMS key, if it has one (the function gets kms:Decrypt on it, through S3 only).
   * @default the bucket uses SSE-S3
   */
  readonly flowLogBucketKmsKeyArn?: string;
  /**
   * The account that owns `flowLogBucket`: the function reads that account's bucket only, and the
   * account may put the bucket's "Object Created" events on this account's default event bus.
   * @default this stack's account
   */
  readonly flowLogBucketAccount?: string;
  /** CloudWatch Logs modes only. */
  readonly logGroups?: never;
}

/** Settings of {@link VpcFlowAlerts}, typed by mode: a setting of another mode cannot be given. */
export type VpcFlowAlertsProps = VpcFlowAlertsPollProps | VpcFlowAlertsSubscribeProps | VpcFlowAlertsS3Props;

/** Props that are settings of the table, checked with its ranges. */
const PROP_SETTINGS = [
  'mode', 'functionTimeoutSeconds', 'memoryMiB', 'reservedConcurrency', 'maxMessageBytes', 'scheduleMinutes', 'lookbackMinutes',
  'maxEventsPerRun', 'maxCatchUpHours', 'filterRequestsPerSecond', 'lagAlarmMinutes', 'kinesisShards', 'alertQueueArn',
  'alertQueueKmsKeyArn', 'alertQueueSenderArns', 'alertQueueMaxReceiveCount', 'internalCidrs', 'severityProfile', 'severityRules',
  'alertMode', 'scanPortThreshold', 'sweepHostThreshold', 'findingWindowMinutes', 'allowlistCidrs', 'outputFormat',
  'flowLogBucket', 'flowLogPrefix', 'flowLogBucketKmsKeyArn', 'flowLogBucketAccount',
] as const satisfies readonly SettingKey[];

/** How often push mode's closer sends the findings of windows that can get no more records. */
const CLOSE_FINDINGS_MINUTES = 5;

/**
 * Turns VPC flow logs into security alerts on an SQS queue: the alert queues and the function every
 * mode shares, composed with a polling source (schedule, checkpoint table) or a subscription source
 * (filters, optional Kinesis stream), with scoped IAM, alarms and a dashboard. A bad setting fails
 * synth with one error naming each setting and a value that works.
 */
export class VpcFlowAlerts extends Construct {
  /** The function (poll, subscribe or S3 handler). */
  public readonly function: lambda.IFunction;
  /** The function's role: what a central bucket's policy grants reads to (`s3` mode, another account). */
  public readonly functionRole: iam.IRole;
  /** The queue alerts are sent to. */
  public readonly alertQueue: sqs.IQueue;
  /** The alert queue's dead-letter queue, when this construct created the alert queue. */
  public readonly alertDeadLetterQueue?: sqs.Queue;
  /** Invocations that failed (schedule delivery, the function itself, given-up Kinesis batches). */
  public readonly invocationDeadLetterQueue: sqs.Queue;
  /** Records the alert queue refused even in minimal form, with the reason and the raw record. */
  public readonly quarantineQueue: sqs.Queue;
  /** How records reach the function. */
  public readonly mode: AlertsMode;
  /** Checkpoints (`poll` mode) and finding state (when `alertMode` is not `flows`). */
  public readonly checkpointTable?: dynamodb.Table;
  /** The EventBridge Scheduler schedule: the poll, or push mode's closing of finding windows. */
  public readonly schedule?: scheduler.Schedule;
  /** One subscription filter per log group (`subscribe` mode). */
  public readonly subscriptionFilters: readonly logs.SubscriptionFilter[];
  /** New-object notifications (`s3` mode), and their dead-letter queue. */
  public readonly notificationQueue?: sqs.Queue;
  public readonly notificationDeadLetterQueue?: sqs.Queue;
  /** The stream deliveries go through (`subscribe` mode with `kinesisShards`). */
  public readonly stream?: kinesis.Stream;
  /** The flow log to CloudWatch Logs, when `flowLog` was given in `poll` or `subscribe` mode. */
  public readonly flowLog?: VpcFlowLog;
  /** The flow log to a new bucket, when `flowLog` was given in `s3` mode. */
  public readonly bucketFlowLog?: BucketFlowLog;
  /** Dashboard and alarms. */
  public readonly monitoring: AlertsMonitoring;
  /** The log groups read, as the function is configured. */
  public readonly logGroups: readonly FlowLogGroupSource[];
  /** The function's own log group (kept when the stack is deleted). */
  public readonly functionLogGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: VpcFlowAlertsProps) {
    super(scope, id);
    const settings = checkProps(props);
    const s = SETTINGS;
    this.mode = settings.mode ?? 'poll';

    if (props.flowLog !== undefined) {
      if (this.mode === 's3') this.bucketFlowLog = new BucketFlowLog(this, 'FlowLog', props.flowLog);
      else this.flowLog = new VpcFlowLog(this, 'FlowLog', props.flowLog);
    }
    // s3 mode: the bucket and prefix read (the created bucket's, or the given one's).
    const bucket = this.bucketFlowLog?.bucket.bucketName ?? bucketName(settings.flowLogBucket ?? '');
    const prefix = this.bucketFlowLog?.prefix ?? settings.flowLogPrefix ?? '';
    this.logGroups = [
      ...(props.logGroups ?? []),
      ...(this.flowLog === undefined ? [] : [{ logGroupName: this.flowLog.logGroup.logGroupName, logFormat: this.flowLog.logFormat }]),
    ];

    const queues = new AlertQueues(this, {
      ...(props.alertQueueArn !== undefined && { alertQueueArn: props.alertQueueArn }),
      ...(props.alertQueueKmsKeyArn !== undefined && { alertQueueKmsKeyArn: props.alertQueueKmsKeyArn }),
      maxReceiveCount: settings.alertQueueMaxReceiveCount ?? SETTINGS.alertQueueMaxReceiveCount.default,
    });
    this.alertQueue = queues.alertQueue;
    if (queues.alertDeadLetterQueue !== undefined) this.alertDeadLetterQueue = queues.alertDeadLetterQueue;
    this.quarantineQueue = queues.quarantineQueue;
    this.invocationDeadLetterQueue = queues.invocationDeadLetterQueue;

    const findings = (settings.alertMode ?? s.alertMode.default) !== 'flows';
    const table = this.mode === 'poll' || findings ? stateTable(this) : undefined;
    if (table !== undefined) this.checkpointTable = table;
    const polling =
      this.mode === 'poll' && table !== undefined
        ? new PollingSource(this, {
            scheduleMinutes: settings.scheduleMinutes ?? s.scheduleMinutes.default,
            lookbackMinutes: settings.lookbackMinutes ?? s.lookbackMinutes.default,
            maxEventsPerRun: settings.maxEventsPerRun ?? s.maxEventsPerRun.default,
            maxCatchUpHours: settings.maxCatchUpHours ?? s.maxCatchUpHours.default,
            filterRequestsPerSecond: settings.filterRequestsPerSecond ?? s.filterRequestsPerSecond.default,
          }, table)
        : undefined;
    const fn = new AlertsFunction(this, {
      mode: this.mode,
      timeoutSeconds: settings.functionTimeoutSeconds ?? s.functionTimeoutSeconds.default,
      memoryMiB: settings.memoryMiB ?? s.memoryMiB.default,
      ...(settings.reservedConcurrency !== undefined && { reservedConcurrency: settings.reservedConcurrency }),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      onFailure: this.invocationDeadLetterQueue,
      environment: {
        ...(this.mode === 's3'
          ? { [ENV.flowLogBucket]: bucket, [ENV.flowLogPrefix]: prefix }
          : {
              [ENV.logGroups]: JSON.stringify(
                this.logGroups.map((g) => ({ name: g.logGroupName, ...(g.logFormat !== undefined && { logFormat: g.logFormat }), filterPattern: g.filterPattern ?? DEFAULT_FILTER_PATTERN })),
              ),
            }),
        [ENV.queueUrl]: this.alertQueue.queueUrl,
        [ENV.quarantineQueueUrl]: this.quarantineQueue.queueUrl,
        ...(settings.maxMessageBytes !== undefined && { [ENV.maxMessageBytes]: String(settings.maxMessageBytes) }),
        ...(settings.internalCidrs !== undefined && settings.internalCidrs.length > 0 && { [ENV.internalCidrs]: settings.internalCidrs.join(',') }),
        ...(settings.severityProfile !== undefined && { [ENV.severityProfile]: settings.severityProfile }),
        ...(settings.severityRules !== undefined && settings.severityRules.trim() !== '' && { [ENV.severityRules]: settings.severityRules }),
        ...(settings.outputFormat !== undefined && { [ENV.outputFormat]: settings.outputFormat }),
        ...(findings && findingEnvironment(settings)),
        ...(table !== undefined && { [ENV.checkpointTable]: table.tableName }),
        ...(this.mode !== 'poll' && settings.lookbackMinutes !== undefined && { [ENV.lookbackMinutes]: String(settings.lookbackMinutes) }),
        ...polling?.environment,
      },
    });
    this.function = fn.function;
    this.functionRole = fn.role;
    this.functionLogGroup = fn.logGroup;
    queues.grantSend(fn.role, settings.alertQueueSenderArns ?? []);

    if (polling !== undefined) {
      polling.connect(fn.function, fn.role, (props.logGroups ?? []).map((g) => g.logGroupName), this.flowLog === undefined ? [] : [this.flowLog.logGroup.logGroupArn], this.invocationDeadLetterQueue);
      if (polling.schedule !== undefined) this.schedule = polling.schedule;
      this.subscriptionFilters = [];
    } else if (this.mode === 's3') {
      if (table !== undefined) this.schedule = this.closeFindingWindows(fn, table);
      const objects = new ObjectSource(this, {
        function: fn.function, role: fn.role, bucket, prefix,
        ...(settings.flowLogBucketKmsKeyArn !== undefined && { kmsKeyArn: settings.flowLogBucketKmsKeyArn }),
        ...(settings.flowLogBucketAccount !== undefined && { bucketAccount: settings.flowLogBucketAccount }),
        functionTimeoutSeconds: settings.functionTimeoutSeconds ?? s.functionTimeoutSeconds.default,
        maxReceiveCount: settings.alertQueueMaxReceiveCount ?? s.alertQueueMaxReceiveCount.default,
      });
      this.notificationQueue = objects.queue;
      // The rest of an object an invocation runs out of time in is sent back to this queue.
      fn.function.addEnvironment(ENV.notificationQueueUrl, objects.queue.queueUrl);
      objects.queue.grantSendMessages(fn.role);
      this.notificationDeadLetterQueue = objects.deadLetterQueue;
      this.subscriptionFilters = [];
    } else {
      if (table !== undefined) this.schedule = this.closeFindingWindows(fn, table);
      const subscription = new SubscriptionSource(this, {
        function: fn.function,
        groups: this.logGroups.map((g) => ({
          logGroupName: g.logGroupName,
          filterPattern: g.filterPattern ?? DEFAULT_FILTER_PATTERN,
          ...(this.flowLog !== undefined && g.logGroupName === this.flowLog.logGroup.logGroupName && { logGroup: this.flowLog.logGroup }),
        })),
        ...(settings.kinesisShards !== undefined && { kinesisShards: settings.kinesisShards }),
        deadLetterQueue: this.invocationDeadLetterQueue,
      });
      this.subscriptionFilters = subscription.subscriptionFilters;
      if (subscription.stream !== undefined) this.stream = subscription.stream;
    }

    this.monitoring = new AlertsMonitoring(this, 'Monitoring', {
      function: this.function,
      // The S3 source reports under `s3://<bucket>/<prefix>`, as its metrics' LogGroup dimension.
      logGroupNames: this.mode === 's3' ? [`s3://${bucket}/${prefix}`] : this.logGroups.map((g) => g.logGroupName),
      alertQueue: this.alertQueue,
      deadLetterQueues: [...queues.deadLetterQueues, ...(this.notificationDeadLetterQueue === undefined ? [] : [{ label: 'S3 notification', queue: this.notificationDeadLetterQueue }])],
      lagAlarmMinutes: settings.lagAlarmMinutes ?? s.lagAlarmMinutes.default,
      periodMinutes: this.mode === 'poll' ? (settings.scheduleMinutes ?? s.scheduleMinutes.default) : s.scheduleMinutes.default,
      mode: this.mode,
      findings,
      iteratorAge: this.stream !== undefined,
      ...(props.alarmTopic !== undefined && { alarmTopic: props.alarmTopic }),
    });
  }

  /**
   * Push and S3 modes with findings: the function may read and write the finding state, and a
   * schedule sends the findings of every window that can get no more records, traffic or not.
   */
  private closeFindingWindows(fn: AlertsFunction, table: dynamodb.Table): scheduler.Schedule {
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'FindingState', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [table.tableArn] }));
    return scheduleFunction(this, fn.function, {
      minutes: CLOSE_FINDINGS_MINUTES, purpose: 'sends the findings of closed windows', input: CLOSE_FINDINGS_EVENT, deadLetterQueue: this.invocationDeadLetterQueue,
    });
  }
}

/** The function's finding settings, as given (the function applies the defaults). */
function findingEnvironment(settings: SettingValues): Record<string, string> {
  const env: Record<string, string> = { [ENV.alertMode]: settings.alertMode ?? SETTINGS.alertMode.default };
  if (settings.scanPortThreshold !== undefined) env[ENV.scanPortThreshold] = String(settings.scanPortThreshold);
  if (settings.sweepHostThreshold !== undefined) env[ENV.sweepHostThreshold] = String(settings.sweepHostThreshold);
  if (settings.findingWindowMinutes !== undefined) env[ENV.findingWindowMinutes] = String(settings.findingWindowMinutes);
  if (settings.allowlistCidrs !== undefined && settings.allowlistCidrs.length > 0) env[ENV.allowlistCidrs] = settings.allowlistCidrs.join(',');
  return env;
}

/**
 * Checks the props against the settings table (ranges, values, the modes each setting applies to,
 * the checks across settings) and the log groups (names, duplicates, formats). Values unknown at
 * synth (tokens) are left to CloudFormation.
 *
 * @throws ConfigError naming every bad prop and a value that works.
 */
export function checkProps(props: VpcFlowAlertsProps): SettingValues {
  const problems = new SettingProblems();
  const given = new Set<SettingKey>();
  const values: Record<string, unknown> = {};
  /** Values known at synth: the checks across settings use only these. */
  const known: Record<string, unknown> = {};
  const raw = props as unknown as Record<string, unknown>;
  for (const key of PROP_SETTINGS) {
    const value = raw[key];
    if (value === undefined) continue;
    given.add(key);
    // A value known only at deploy (a token: a parameter, another construct's attribute) is left to CloudFormation.
    if (Token.isUnresolved(value) || (Array.isArray(value) && value.some((item) => Token.isUnresolved(item)))) {
      values[key] = value;
      continue;
    }
    values[key] = readSetting(SETTINGS[key], value, PROPS_NAMING, problems);
    known[key] = values[key];
  }
  const groups = props.mode === 's3' ? [] : (props.logGroups ?? []);
  // s3 mode reads a bucket (checkTogether names a missing one), not log groups.
  if (props.mode !== 's3' && groups.length === 0 && props.flowLog === undefined) {
    problems.add('logGroups', `logGroups is empty; give at least one flow-log group, e.g. logGroups: [{ logGroupName: '${SETTINGS.logGroups.example}' }] (or set flowLog to create one)`);
  }
  checkLogGroups(groups, PROPS_NAMING, problems, (name) => !Token.isUnresolved(name));
  // `flowLog` is the settings table's flowLogVpcId (in s3 mode it stands in for the bucket).
  if (props.flowLog !== undefined) {
    const vpcId = props.flowLog.vpcId;
    known['flowLogVpcId'] = Token.isUnresolved(vpcId) ? vpcId : readSetting(SETTINGS.flowLogVpcId, vpcId, { name: () => 'flowLog.vpcId', fix: (_spec, v) => `flowLog: { vpcId: '${v}' }` }, problems);
  }
  // A bucket named at deploy (a token) is still a bucket given: the checks of which bucket to read need to know.
  if (props.mode === 's3' && props.flowLogBucket !== undefined) known['flowLogBucket'] = values['flowLogBucket'];
  checkTogether(known as SettingValues, given, PROPS_NAMING, problems);
  problems.throwIfAny();
  return values as SettingValues;
}
