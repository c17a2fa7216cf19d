import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as logDestinations from 'aws-cdk-lib/aws-logs-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_FILTER_PATTERN, DEFAULTS, ENV, LOG_GROUP_NAME } from '../lambda/app/config';
import { CHECKPOINT_KEY, CHECKPOINT_TTL } from '../lambda/adapters/dynamodb-checkpoint-store';
import { ConfigError, LogFormatError } from '../lambda/core/errors';
import { compileFormat } from '../lambda/core/log-format';
import type { FlowLogOptions } from './flow-log';
import { VpcFlowLog } from './flow-log';
import { PollerMonitoring } from './monitoring';

/** One flow-log group to poll. */
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

/** How records reach the function: polled on a schedule, or pushed by subscription filters. */
export type AlertsMode = 'poll' | 'subscribe';

/** Settings of {@link VpcFlowAlerts}. */
export interface VpcFlowAlertsProps {
  /**
   * `poll`: a schedule invokes the function, which reads with FilterLogEvents and keeps a
   * checkpoint. `subscribe`: one subscription filter per log group pushes matching records as they
   * are ingested (no schedule, no checkpoint table, no FilterLogEvents quota).
   * @default 'poll'
   */
  readonly mode?: AlertsMode;
  /**
   * `subscribe` mode only: route deliveries through a Kinesis data stream with this many shards
   * (batching, bisect-on-error, partial batch responses), for very high volume.
   * @default no stream: the subscription filters invoke the function directly
   */
  readonly kinesisShards?: number;
  /**
   * Flow-log groups to poll. The function may read these and nothing else.
   * @default none: required unless `flowLog` is set
   */
  readonly logGroups?: readonly FlowLogGroupSource[];
  /**
   * Also create a VPC flow log to CloudWatch Logs for this VPC, with a recommended custom format
   * that the poller is given automatically.
   * @default no flow log is created
   */
  readonly flowLog?: FlowLogOptions;
  /**
   * How often the poller runs.
   * @default Duration.minutes(5)
   */
  readonly schedule?: Duration;
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
   * How long consumers have to take an alert before it goes to the alert queue's dead-letter queue.
   * @default 5 receives
   */
  readonly alertQueueMaxReceiveCount?: number;
  /**
   * IAM role or user ARNs, besides the function's role, that may send to the alert queue this
   * construct creates (a test tool, say). Everyone else is denied `sqs:SendMessage` by the queue's
   * policy, so no one can put forged alerts on it. Ignored with `alertQueueArn`.
   * @default only the function's role
   */
  readonly alertQueueSenderArns?: readonly string[];
  /**
   * Reserved concurrency for the function. Overlapping poll runs need none: each log group is
   * leased to one run at a time. Reserving any takes it from the account's unreserved pool, which
   * must keep 10; new accounts have only 10 in all, so a reservation there fails the deploy.
   * @default no reservation
   */
  readonly reservedConcurrency?: number;
  /**
   * The function's timeout; it must be shorter than `schedule`.
   * @default Duration.minutes(4)
   */
  readonly functionTimeout?: Duration;
  /**
   * The function's memory.
   * @default 512 MiB
   */
  readonly memorySize?: number;
  /**
   * How late after its own timestamp a record may be ingested and still be delivered.
   * @default Duration.minutes(15)
   */
  readonly lookback?: Duration;
  /**
   * Alerts sent per invocation, all log groups together.
   * @default 5000
   */
  readonly maxEventsPerRun?: number;
  /**
   * How far back runs reach after an outage; older records are reported, not read.
   * @default Duration.hours(24)
   */
  readonly maxCatchUp?: Duration;
  /**
   * The lag alarm fires when the poller is this far behind, or silent for three periods.
   * @default Duration.minutes(30)
   */
  readonly lagAlarmThreshold?: Duration;
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

/** The interval and the checks they share with the CDK context validation. */
export const CONSTRUCT_DEFAULTS = {
  schedule: Duration.minutes(5),
  functionTimeout: Duration.minutes(4),
  memorySize: 512,
  lagAlarmThreshold: Duration.minutes(30),
  alertQueueMaxReceiveCount: 5,
} as const;

const QUEUE_ARN = /^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}(\.fifo)?$/;
const KMS_KEY_ARN = /^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;

/**
 * The VPC flow-log alert poller: a scheduled Lambda that reads rejected flows from the given
 * flow-log groups and sends normalized alerts to an SQS queue, with a checkpoint table, scoped
 * IAM, dead-letter queues, alarms and a dashboard.
 */
export class VpcFlowAlerts extends Construct {
  /** The poller function. */
  public readonly function: nodejs.NodejsFunction;
  /** The queue alerts are sent to. */
  public readonly alertQueue: sqs.IQueue;
  /** The alert queue's dead-letter queue, when this construct created the alert queue. */
  public readonly alertDeadLetterQueue?: sqs.Queue;
  /** Invocations that failed (schedule delivery or the function itself) land here. */
  public readonly invocationDeadLetterQueue: sqs.Queue;
  /** Records the alert queue refused even in minimal form, with the reason and the raw record. */
  public readonly quarantineQueue: sqs.Queue;
  /** How records reach the function. */
  public readonly mode: AlertsMode;
  /** One checkpoint item per log group (`poll` mode). */
  public readonly checkpointTable?: dynamodb.Table;
  /** The EventBridge Scheduler schedule (`poll` mode). */
  public readonly schedule?: scheduler.Schedule;
  /** One subscription filter per log group (`subscribe` mode). */
  public readonly subscriptionFilters: logs.SubscriptionFilter[] = [];
  /** The stream deliveries go through (`subscribe` mode with `kinesisShards`). */
  public readonly stream?: kinesis.Stream;
  /** The flow log, when `flowLog` was given. */
  public readonly flowLog?: VpcFlowLog;
  /** Dashboard and alarms. */
  public readonly monitoring: PollerMonitoring;
  /** The log groups polled, as the function is configured. */
  public readonly logGroups: readonly FlowLogGroupSource[];

  public constructor(scope: Construct, id: string, props: VpcFlowAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const interval = props.schedule ?? CONSTRUCT_DEFAULTS.schedule;
    const timeout = props.functionTimeout ?? CONSTRUCT_DEFAULTS.functionTimeout;
    validateProps(props, interval, timeout);
    this.mode = props.mode ?? 'poll';
    const polling = this.mode === 'poll';

    if (props.flowLog !== undefined) this.flowLog = new VpcFlowLog(this, 'FlowLog', props.flowLog);
    this.logGroups = [
      ...(props.logGroups ?? []),
      ...(this.flowLog === undefined ? [] : [{ logGroupName: this.flowLog.logGroup.logGroupName, logFormat: this.flowLog.logFormat }]),
    ];

    const checkpointTable = !polling ? undefined : new dynamodb.Table(this, 'CheckpointTable', {
      partitionKey: { name: CHECKPOINT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: CHECKPOINT_TTL,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Losing the checkpoint would re-send up to MAX_CATCH_UP of alerts: keep it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (checkpointTable !== undefined) this.checkpointTable = checkpointTable;

    let queueKey: kms.IKey | undefined;
    if (props.alertQueueArn === undefined) {
      this.alertDeadLetterQueue = secureQueue(this, 'AlertDeadLetterQueue');
      this.alertQueue = secureQueue(this, 'AlertQueue', {
        deadLetterQueue: { queue: this.alertDeadLetterQueue, maxReceiveCount: props.alertQueueMaxReceiveCount ?? CONSTRUCT_DEFAULTS.alertQueueMaxReceiveCount },
      });
    } else {
      queueKey = props.alertQueueKmsKeyArn === undefined ? undefined : kms.Key.fromKeyArn(this, 'AlertQueueKey', props.alertQueueKmsKeyArn);
      this.alertQueue = sqs.Queue.fromQueueAttributes(this, 'AlertQueue', {
        queueArn: props.alertQueueArn,
        fifo: props.alertQueueArn.endsWith('.fifo'),
        ...(queueKey !== undefined && { keyArn: queueKey.keyArn }),
      });
    }
    this.invocationDeadLetterQueue = secureQueue(this, 'InvocationDeadLetterQueue');
    this.quarantineQueue = secureQueue(this, 'QuarantineQueue');

    const functionLogGroup = new logs.LogGroup(this, 'FunctionLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: polling
        ? 'vpc-flow-alerts poller: reads its flow-log groups, sends to its queue, keeps its checkpoint'
        : 'vpc-flow-alerts subscriber: receives its flow-log groups\' deliveries, sends to its queue',
    });
    const groupArn = (name: string): string =>
      stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const readable = [
      ...(props.logGroups ?? []).map((g) => groupArn(g.logGroupName)),
      ...(this.flowLog === undefined ? [] : [this.flowLog.logGroup.logGroupArn]),
    ];
    if (polling) role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadFlowLogs', actions: ['logs:FilterLogEvents'], resources: readable }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'SendAlerts', actions: ['sqs:SendMessage'], resources: [this.alertQueue.queueArn, this.quarantineQueue.queueArn] }));
    if (this.alertQueue instanceof sqs.Queue) {
      // Only this function (and the senders named) may put alerts on the queue: no forged alerts.
      this.alertQueue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyVpcFlowAlertsSends',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['sqs:SendMessage'],
          resources: [this.alertQueue.queueArn],
          conditions: { StringNotEquals: { 'aws:PrincipalArn': [role.roleArn, ...(props.alertQueueSenderArns ?? [])] } },
        }),
      );
    }
    if (queueKey !== undefined) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'EncryptAlerts', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [queueKey.keyArn] }));
    }
    if (checkpointTable !== undefined) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'Checkpoint',
          // UpdateItem takes and releases the per-group lease on the checkpoint item.
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
          resources: [checkpointTable.tableArn],
        }),
      );
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'OwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [functionLogGroup.logGroupArn] }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Poller', {
      entry: path.join(__dirname, '..', 'lambda', polling ? 'handler.ts' : 'subscription-handler.ts'),
      handler: 'handler',
      depsLockFilePath: path.join(__dirname, '..', 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? CONSTRUCT_DEFAULTS.memorySize,
      timeout,
      // Overlapping poll runs are safe without it: each log group is leased to one run at a time.
      ...(props.reservedConcurrency !== undefined && { reservedConcurrentExecutions: props.reservedConcurrency }),
      role,
      logGroup: functionLogGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: polling ? 'Polls VPC flow logs for rejected flows and sends alerts to SQS' : 'Receives VPC flow-log subscription deliveries and sends alerts to SQS',
      environment: {
        [ENV.logGroups]: JSON.stringify(
          this.logGroups.map((g) => ({ name: g.logGroupName, ...(g.logFormat !== undefined && { logFormat: g.logFormat }), filterPattern: g.filterPattern ?? DEFAULT_FILTER_PATTERN })),
        ),
        [ENV.queueUrl]: this.alertQueue.queueUrl,
        [ENV.quarantineQueueUrl]: this.quarantineQueue.queueUrl,
        ...(checkpointTable !== undefined && {
          [ENV.checkpointTable]: checkpointTable.tableName,
          [ENV.lookbackMinutes]: String((props.lookback ?? Duration.minutes(DEFAULTS.lookbackMinutes)).toSeconds() / 60),
          [ENV.maxEventsPerRun]: String(props.maxEventsPerRun ?? DEFAULTS.maxEventsPerRun),
          [ENV.maxCatchUpHours]: String((props.maxCatchUp ?? Duration.hours(DEFAULTS.maxCatchUpHours)).toSeconds() / 3600),
        }),
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node24',
        // Bundle the SDK too: the function runs the exact versions the tests ran.
        externalModules: [],
        forceDockerBundling: false,
      },
      // Polling: the next scheduled run is the retry (it resumes from the checkpoint). Push: a
      // delivery whose sends failed is retried by Lambda, then kept by the on-failure destination.
      retryAttempts: polling ? 0 : 2,
      onFailure: new destinations.SqsDestination(this.invocationDeadLetterQueue),
    });

    let schedulerRole: iam.Role | undefined;
    if (polling) {
      schedulerRole = new iam.Role(this, 'ScheduleRole', {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
        description: 'vpc-flow-alerts schedule: invokes the poller',
      });
      this.schedule = new scheduler.Schedule(this, 'Schedule', {
        schedule: scheduler.ScheduleExpression.rate(interval),
        description: `Runs the vpc-flow-alerts poller every ${interval.toHumanString()}`,
        target: new targets.LambdaInvoke(this.function, {
          role: schedulerRole,
          retryAttempts: 3,
          maxEventAge: interval,
          deadLetterQueue: this.invocationDeadLetterQueue,
        }),
      });
    } else {
      if (props.kinesisShards !== undefined) {
        this.stream = new kinesis.Stream(this, 'DeliveryStream', {
          shardCount: props.kinesisShards,
          encryption: kinesis.StreamEncryption.MANAGED,
          // A week of retention: batches that cannot be sent are retried until the records expire,
          // and the on-failure destination would only get their shard and sequence numbers.
          retentionPeriod: Duration.days(7),
        });
      }
      this.subscribe(this.stream);
    }

    this.acknowledgeNagFindings(role, schedulerRole, props);

    this.monitoring = new PollerMonitoring(this, 'Monitoring', {
      function: this.function,
      logGroupNames: this.logGroups.map((g) => g.logGroupName),
      alertQueue: this.alertQueue,
      deadLetterQueues: [
        ...(this.alertDeadLetterQueue === undefined ? [] : [{ label: 'alert queue', queue: this.alertDeadLetterQueue }]),
        { label: 'failed invocations', queue: this.invocationDeadLetterQueue },
        { label: 'quarantine', queue: this.quarantineQueue },
      ],
      lagAlarmThreshold: props.lagAlarmThreshold ?? CONSTRUCT_DEFAULTS.lagAlarmThreshold,
      interval,
      mode: this.mode,
      iteratorAge: this.stream !== undefined,
      ...(props.alarmTopic !== undefined && { alarmTopic: props.alarmTopic }),
    });
  }

  /**
   * One subscription filter per log group with its filter pattern, invoking the function directly
   * (permission scoped to that group's ARN) or writing to a Kinesis stream the function reads with
   * batching, bisect-on-error and partial batch responses, retrying until records expire (7 days);
   * the on-failure destination then records the shard and sequence range it had to give up.
   */
  private subscribe(stream: kinesis.Stream | undefined): void {
    let destination: logs.ILogSubscriptionDestination;
    if (stream === undefined) {
      destination = new logDestinations.LambdaDestination(this.function);
    } else {
      destination = new logDestinations.KinesisDestination(stream, { role: this.subscriptionRole() });
      this.function.addEventSource(
        new eventSources.KinesisEventSource(stream, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: 100,
          maxBatchingWindow: Duration.seconds(5),
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          // No retry or age limit: a batch is retried until its records leave the stream.
          onFailure: new eventSources.SqsDlq(this.invocationDeadLetterQueue),
        }),
      );
    }
    this.logGroups.forEach((group, index) => {
      const pattern = group.filterPattern ?? DEFAULT_FILTER_PATTERN;
      const logGroup =
        this.flowLog !== undefined && group.logGroupName === this.flowLog.logGroup.logGroupName
          ? this.flowLog.logGroup
          : logs.LogGroup.fromLogGroupName(this, `SubscribedGroup${index}`, group.logGroupName);
      this.subscriptionFilters.push(
        new logs.SubscriptionFilter(this, `Subscription${index}`, {
          logGroup,
          destination,
          filterPattern: pattern === '' ? logs.FilterPattern.allEvents() : logs.FilterPattern.literal(pattern),
          filterName: 'vpc-flow-alerts',
        }),
      );
    });
  }

  /**
   * The role CloudWatch Logs assumes to write to the stream. Its trust policy names this account and
   * the subscribed log groups (`aws:SourceAccount`, `aws:SourceArn`), so no other account or log
   * group can make CloudWatch Logs write to the stream through it (the confused-deputy problem).
   */
  private subscriptionRole(): iam.Role {
    const stack = Stack.of(this);
    const groupArns = this.logGroups.flatMap((g) => {
      const arn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: g.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      return [arn, `${arn}:*`];
    });
    return new iam.Role(this, 'SubscriptionRole', {
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': groupArns } },
      }),
      description: 'vpc-flow-alerts: CloudWatch Logs writes the subscribed flow-log groups to the delivery stream',
    });
  }

  /**
   * cdk-nag findings this design answers differently, each on the one resource it concerns, with
   * the evidence. The tests assert that evidence (exact IAM statements, destinations, queues).
   */
  private acknowledgeNagFindings(role: iam.Role, schedulerRole: iam.Role | undefined, props: VpcFlowAlertsProps): void {
    const stack = Stack.of(this);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const functionId = stack.resolve(stack.getLogicalId(this.function.node.defaultChild as lambda.CfnFunction)) as string;
    const schedulerPolicy = schedulerRole?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (schedulerPolicy !== undefined) {
      Validations.of(schedulerPolicy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
        reason: 'The scheduler target grants lambda:InvokeFunction on this one poller function and its versions and aliases ("<function ARN>:*").',
      });
    }
    const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (policy !== undefined && this.mode === 'poll') {
      for (const group of props.logGroups ?? []) {
        if (Token.isUnresolved(group.logGroupName)) continue;
        Validations.of(policy).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:${group.logGroupName}:*]`,
          reason: `logs:FilterLogEvents on the flow-log group ${group.logGroupName} only: ":*" is the log-group ARN form CloudWatch Logs authorizes, covering that one group's streams.`,
        });
      }
    }
    Validations.of(this.function).acknowledge(
      {
        id: 'Serverless::Serverless-LambdaDLQ',
        reason: 'Failed asynchronous invocations go to InvocationDeadLetterQueue through an on-failure destination (EventInvokeConfig), which AWS recommends over a DeadLetterConfig.',
      },
      {
        id: 'Serverless::Serverless-LambdaTracing',
        reason: 'X-Ray actions accept no resource-level scoping, so active tracing would add a "*" resource to a role that otherwise names each resource; the poller reports through structured logs and EMF metrics instead.',
      },
    );
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
}

/** An SQS queue with SQS-managed encryption, a TLS-only policy and 14-day retention. */
function secureQueue(scope: Construct, id: string, extra: Partial<sqs.QueueProps> = {}): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...extra,
  });
}

/** Fails synth with a message naming the setting and the fix. */
function validateProps(props: VpcFlowAlertsProps, interval: Duration, timeout: Duration): void {
  const problems: string[] = [];
  const settings: string[] = [];
  const fail = (setting: string, message: string): void => {
    settings.push(setting);
    problems.push(`${setting}: ${message}`);
  };
  const groups = props.logGroups ?? [];
  if (groups.length === 0 && props.flowLog === undefined) {
    fail('logGroups', 'give at least one flow-log group to poll (or set flowLog to create one)');
  }
  const seen = new Set<string>();
  for (const group of groups) {
    if (Token.isUnresolved(group.logGroupName)) continue;
    if (!LOG_GROUP_NAME.test(group.logGroupName)) {
      fail('logGroups', `"${group.logGroupName}" is not a log group name: use 1-512 of a-z A-Z 0-9 _ - / . #`);
    }
    if (seen.has(group.logGroupName)) fail('logGroups', `"${group.logGroupName}" is listed twice`);
    seen.add(group.logGroupName);
    try {
      compileFormat(group.logFormat);
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      fail('logFormat', `${group.logGroupName}: ${error.message}`);
    }
  }
  if (!Token.isUnresolved(interval.toSeconds()) && (interval.toSeconds() < 60 || interval.toSeconds() % 60 !== 0)) {
    fail('schedule', `${interval.toHumanString()} is not a whole number of minutes (at least 1)`);
  }
  if (timeout.toSeconds() >= interval.toSeconds()) {
    fail('functionTimeout', `${timeout.toHumanString()} must be shorter than the schedule interval (${interval.toHumanString()}), so runs never overlap`);
  }
  if (timeout.toSeconds() > 900 || timeout.toSeconds() < 30) fail('functionTimeout', 'must be from 30 seconds to 15 minutes');
  if (props.alertQueueArn !== undefined && !Token.isUnresolved(props.alertQueueArn) && !QUEUE_ARN.test(props.alertQueueArn)) {
    fail('alertQueueArn', `"${props.alertQueueArn}" is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)`);
  }
  if (props.alertQueueKmsKeyArn !== undefined) {
    if (props.alertQueueArn === undefined) fail('alertQueueKmsKeyArn', 'only applies with alertQueueArn (a queue this construct creates uses SQS-managed encryption)');
    if (!Token.isUnresolved(props.alertQueueKmsKeyArn) && !KMS_KEY_ARN.test(props.alertQueueKmsKeyArn)) {
      fail('alertQueueKmsKeyArn', `"${props.alertQueueKmsKeyArn}" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`);
    }
  }
  if (props.kinesisShards !== undefined) {
    if ((props.mode ?? 'poll') !== 'subscribe') fail('kinesisShards', 'only applies with mode "subscribe"');
    if (!Number.isInteger(props.kinesisShards) || props.kinesisShards < 1 || props.kinesisShards > 500) fail('kinesisShards', 'must be a whole number from 1 to 500');
  }
  if (props.mode !== undefined && props.mode !== 'poll' && props.mode !== 'subscribe') fail('mode', `"${String(props.mode)}" must be "poll" or "subscribe"`);
  const lookbackMinutes = (props.lookback?.toSeconds() ?? DEFAULTS.lookbackMinutes * 60) / 60;
  if (!Number.isInteger(lookbackMinutes) || lookbackMinutes < 1 || lookbackMinutes > 1440) fail('lookback', 'must be a whole number of minutes from 1 minute to 24 hours');
  const maxEvents = props.maxEventsPerRun ?? DEFAULTS.maxEventsPerRun;
  if (!Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > 1_000_000) fail('maxEventsPerRun', 'must be a whole number from 1 to 1,000,000');
  const catchUpHours = (props.maxCatchUp?.toSeconds() ?? DEFAULTS.maxCatchUpHours * 3600) / 3600;
  if (!Number.isInteger(catchUpHours) || catchUpHours * 60 < lookbackMinutes || catchUpHours > 720) {
    fail('maxCatchUp', 'must be a whole number of hours, at least the lookback and at most 30 days');
  }
  if (problems.length > 0) throw new ConfigError(`VpcFlowAlerts: invalid configuration:\n  ${problems.join('\n  ')}`, settings);
}
