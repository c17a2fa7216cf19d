/**
 * The one settings table. Every setting is defined here once: its CDK context key, the function's
 * environment variable (when the function reads it), type, default, range or values, the modes that
 * use it, one line of meaning, and a value that works. The function's environment parsing, the CDK
 * context parsing, the construct's validation and the README's tables all read it. No SDK imports:
 * `lib/` and `lambda/` both load it.
 */

import { ALERT_MODES } from '../core/finding';
import { OUTPUT_FORMATS } from '../core/contract-version';
import { LIMITS } from '../core/finding-state';
import { SEVERITY_PROFILES } from '../core/severity';

/** How records reach the function. */
export const MODES = ['poll', 'subscribe', 's3'] as const;
export type Mode = (typeof MODES)[number];

interface SpecBase {
  /** The CDK context key (`-c key=value`), also the README's name for the setting. */
  readonly key: string;
  /** One line for the README. */
  readonly meaning: string;
  /** The modes that use the setting; giving it in another mode is an error. */
  readonly modes: readonly Mode[];
  /** A value that works, for error messages and the README. */
  readonly example: string;
  /** The function's environment variable, when the function reads the setting. */
  readonly env?: string;
  /** The default in words, when it is not a plain value (`a new queue`). */
  readonly defaultDoc?: string;
  /** False for wiring the stack sets itself (queue URLs, table name): an environment variable only. */
  readonly context?: false;
}

/** A whole number within a range. */
export interface IntSpec extends SpecBase {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}

/** One of a few words. */
export interface EnumSpec extends SpecBase {
  readonly kind: 'enum';
  readonly values: readonly string[];
  readonly default?: string;
}

/** Text of a given shape; `''` is a value too (an empty filter pattern reads everything). */
export interface TextSpec extends SpecBase {
  readonly kind: 'text';
  /** What the value must match; absent: any text. */
  readonly pattern?: RegExp;
  /** The shape in words, for errors. */
  readonly shape: string;
  readonly default?: string;
}

/** Comma-separated values of a given shape (or, for `logGroups`, a JSON array). */
export interface ListSpec extends SpecBase {
  readonly kind: 'list';
  readonly itemPattern: RegExp;
  readonly shape: string;
}

export type SettingSpec = IntSpec | EnumSpec | TextSpec | ListSpec;

/** CloudWatch Logs group names: 1-512 characters of `a-zA-Z0-9_-/.#`. */
export const LOG_GROUP_NAME = /^[\w\-/.#]{1,512}$/;
/** An SQS queue URL, standard or FIFO: `https://sqs.<region>.amazonaws.com/<account>/<name>`. */
export const SQS_QUEUE_URL = /^https?:\/\/\S+\/\d{12}\/[\w-]{1,80}(\.fifo)?$/;
/** A standard (not FIFO) SQS queue URL. */
export const SQS_STANDARD_QUEUE_URL = /^https?:\/\/\S+\/\d{12}\/[\w-]{1,80}$/;
const QUEUE_ARN = /^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}(\.fifo)?$/;
const KMS_KEY_ARN = /^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
/** An IAM role or user ARN: what `aws:PrincipalArn` holds for a role's sessions and for a user. */
const PRINCIPAL_ARN = /^arn:aws[\w-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

const ALL: readonly Mode[] = MODES;
const POLL: readonly Mode[] = ['poll'];
const SUBSCRIBE: readonly Mode[] = ['subscribe'];
/** The modes that read CloudWatch Logs. */
const LOGS: readonly Mode[] = ['poll', 'subscribe'];
const S3: readonly Mode[] = ['s3'];
/** An S3 bucket name (3-63 of a-z 0-9 . -), or its ARN. */
export const BUCKET = /^(arn:aws[\w-]*:s3:::)?[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Rejected flows plus the records in which AWS reports that it dropped records. */
export const DEFAULT_FILTER_PATTERN = '?REJECT ?SKIPDATA';

/** Every setting, in the README's order. */
export const SETTINGS = {
  mode: {
    key: 'mode', kind: 'enum', values: MODES, default: 'poll', modes: ALL, example: 'subscribe',
    meaning: '`poll`: a schedule reads with FilterLogEvents and keeps a checkpoint. `subscribe`: a subscription filter per log group pushes matching records. `s3`: flow logs delivered to an S3 bucket, read as new objects arrive',
  },
  logGroups: {
    key: 'logGroups', kind: 'list', itemPattern: LOG_GROUP_NAME, shape: 'log group names (1-512 of a-z A-Z 0-9 _ - / . #)', modes: LOGS,
    example: '/aws/vpc/flowlogs', defaultDoc: '`/aws/vpc/flowlogs` (none with `flowLogVpcId`)',
    meaning: 'Flow-log groups to read: names separated by commas, or a JSON array of names or `{"logGroupName", "logFormat", "filterPattern"}`; empty with `flowLogVpcId`',
  },
  logFormat: {
    key: 'logFormat', kind: 'text', shape: 'a flow-log LogFormat', modes: LOGS, example: '${version} ${srcaddr} ${dstaddr} ${action}', defaultDoc: 'the version 2 layout',
    meaning: 'The flow log\'s `LogFormat` (`aws ec2 describe-flow-logs --query \'FlowLogs[].LogFormat\'`), for the groups given by name',
  },
  filterPattern: {
    key: 'filterPattern', kind: 'text', shape: 'a CloudWatch Logs filter pattern', modes: LOGS, default: DEFAULT_FILTER_PATTERN, example: 'REJECT',
    meaning: 'CloudWatch Logs filter pattern; an empty value (`-c filterPattern=`) reads everything',
  },
  scheduleMinutes: {
    key: 'scheduleMinutes', kind: 'int', min: 1, max: 1440, default: 5, modes: POLL, example: '10',
    meaning: 'Poll interval (EventBridge Scheduler, 3 retries, dead-letter queue)',
  },
  functionTimeoutSeconds: {
    key: 'functionTimeoutSeconds', kind: 'int', min: 30, max: 900, default: 240, modes: ALL, example: '120',
    meaning: 'Function timeout; in `poll` mode shorter than the interval',
  },
  memoryMiB: { key: 'memoryMiB', kind: 'int', min: 128, max: 10_240, default: 512, modes: ALL, example: '1024', meaning: 'Function memory' },
  reservedConcurrency: {
    key: 'reservedConcurrency', kind: 'int', min: 1, max: 1000, modes: ALL, example: '2', defaultDoc: 'none',
    meaning: 'Reserve this much concurrency for the function (not needed: runs lease their log groups; fails in accounts with only 10)',
  },
  lookbackMinutes: {
    key: 'lookbackMinutes', kind: 'int', min: 1, max: 1440, default: 15, modes: ALL, env: 'LOOKBACK_MINUTES', example: '30',
    meaning: 'How late after its timestamp a record may be ingested and still be delivered (`poll`), or counted in its window\'s findings (`subscribe`; `s3`: after its object was written)',
  },
  maxEventsPerRun: {
    key: 'maxEventsPerRun', kind: 'int', min: 1, max: 1_000_000, default: 5000, modes: POLL, env: 'MAX_EVENTS_PER_RUN', example: '10000',
    meaning: 'Alerts sent per invocation, all log groups together',
  },
  maxCatchUpHours: {
    key: 'maxCatchUpHours', kind: 'int', min: 1, max: 720, default: 24, modes: POLL, env: 'MAX_CATCH_UP_HOURS', example: '48',
    meaning: 'How far back runs reach after an outage (at least the lookback); older records are reported with a replay command',
  },
  maxMessageBytes: {
    key: 'maxMessageBytes', kind: 'int', min: 4096, max: 1_048_576, default: 262_144, modes: ALL, env: 'MAX_MESSAGE_BYTES', example: '1048576',
    meaning: 'Largest SQS message; an oversize alert is cut to fit (`raw_event.truncation_reason`). 256 KiB fits every queue; SQS allows 1 MiB',
  },
  filterRequestsPerSecond: {
    key: 'filterRequestsPerSecond', kind: 'int', min: 1, max: 5, default: 4, modes: POLL, env: 'FILTER_REQUESTS_PER_SECOND', example: '2',
    meaning: 'Pacing of FilterLogEvents across all log groups (the account-wide quota is 5/s and cannot be raised)',
  },
  internalCidrs: {
    key: 'internalCidrs', kind: 'list', itemPattern: /^[0-9a-fA-F:.]+\/\d{1,3}$/, shape: 'CIDR blocks (10.0.0.0/8, 2001:db8::/32)', modes: ALL, env: 'INTERNAL_CIDRS',
    example: '203.0.113.0/24', defaultDoc: 'none',
    meaning: 'Networks that count as private besides RFC 1918, RFC 6598, loopback, link-local and IPv6 ULA/link-local (your public ranges, comma-separated)',
  },
  severityProfile: {
    key: 'severityProfile', kind: 'enum', values: SEVERITY_PROFILES, default: 'seed', modes: ALL, env: 'SEVERITY_PROFILE', example: 'exposure',
    meaning: '`seed`: REJECT medium, ACCEPT low, NODATA/SKIPDATA info. `exposure`: severity from where the flow goes (docs/alert-contract.md)',
  },
  severityRules: {
    key: 'severityRules', kind: 'text', shape: 'a JSON array of severity rules', modes: ALL, env: 'SEVERITY_RULES',
    example: '[{"direction":["inbound"],"dst_ports":[22],"severity":"high"}]', defaultDoc: 'none',
    meaning: 'First-match rules applied before the profile: JSON objects on `action`, `direction`, `src_scope`, `dst_scope`, `protocol`, `dst_ports`, `src_cidrs`, `dst_cidrs`, with a `severity`',
  },
  outputFormat: {
    key: 'outputFormat', kind: 'enum', values: OUTPUT_FORMATS, default: 'native', modes: ALL, env: 'OUTPUT_FORMAT', example: 'ocsf',
    meaning: '`native`: the alert contract (docs/alert-contract.md). `ocsf`: OCSF 1.1.0 Network Activity events and Detection Findings (docs/ocsf.md)',
  },
  alertMode: {
    key: 'alertMode', kind: 'enum', values: ALERT_MODES, default: 'flows', modes: ALL, env: 'ALERT_MODE', example: 'findings',
    meaning: '`flows`: one alert per flow. `findings`: scans, sweeps, blocked lateral and egress traffic and per-interface summaries, plus `high` flows; other flows only counted. `both`: everything',
  },
  scanPortThreshold: {
    key: 'scanPortThreshold', kind: 'int', min: 2, max: LIMITS.exact, default: 10, modes: ALL, env: 'SCAN_PORT_THRESHOLD', example: '20',
    meaning: 'Distinct ports one source is rejected on by one destination, within a window, that make a `port_scan`',
  },
  sweepHostThreshold: {
    key: 'sweepHostThreshold', kind: 'int', min: 2, max: LIMITS.exact, default: 10, modes: ALL, env: 'SWEEP_HOST_THRESHOLD', example: '20',
    meaning: 'Distinct destinations that reject one source, within a window, that make a `host_sweep`',
  },
  findingWindowMinutes: {
    key: 'findingWindowMinutes', kind: 'int', min: 5, max: 1440, default: 60, modes: ALL, env: 'FINDING_WINDOW_MINUTES', example: '30',
    meaning: 'Length of the windows findings are counted in (aligned to the hour and the day); a window\'s findings are sent once it can get no more records',
  },
  allowlistCidrs: {
    key: 'allowlistCidrs', kind: 'list', itemPattern: /^[0-9a-fA-F:.]+\/\d{1,3}$/, shape: 'CIDR blocks (192.0.2.0/24, 2001:db8::/32)', modes: ALL, env: 'ALLOWLIST_CIDRS',
    example: '192.0.2.0/24', defaultDoc: 'none',
    meaning: 'Sources (your own scanners, monitoring) that never count toward findings and, in `findings` mode, are not sent (counted in `AllowlistedFlows`)',
  },
  flowLogBucket: {
    key: 'flowLogBucket', kind: 'text', pattern: BUCKET, shape: 'an S3 bucket name or ARN', modes: S3, env: 'FLOW_LOG_BUCKET', example: 'central-log-archive',
    defaultDoc: '(`s3` mode: this or `flowLogVpcId`)',
    meaning: 'The bucket flow logs are delivered to (this account or another: a central log-archive bucket)',
  },
  flowLogPrefix: {
    key: 'flowLogPrefix', kind: 'text', pattern: /^[^*?]{0,512}$/, shape: 'a key prefix without wildcards', modes: S3, env: 'FLOW_LOG_PREFIX', default: '', example: 'AWSLogs/123456789012/vpcflowlogs/',
    meaning: 'Read only objects under this prefix',
  },
  flowLogBucketAccount: {
    key: 'flowLogBucketAccount', kind: 'text', pattern: /^\d{12}$/, shape: 'a 12-digit AWS account id', modes: S3, example: '111122223333', defaultDoc: 'this account',
    meaning: 'The account that owns `flowLogBucket` (a central log-archive account): reads are allowed from that account\'s bucket only, and it may send the bucket\'s "Object Created" events to this account\'s default event bus',
  },
  flowLogBucketKmsKeyArn: {
    key: 'flowLogBucketKmsKeyArn', kind: 'text', pattern: KMS_KEY_ARN, shape: 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)', modes: S3,
    example: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', defaultDoc: 'none',
    meaning: 'The bucket\'s SSE-KMS key, if any (the function gets `kms:Decrypt` on it)',
  },
  lagAlarmMinutes: {
    key: 'lagAlarmMinutes', kind: 'int', min: 1, max: 10_080, default: 30, modes: POLL, example: '60',
    meaning: 'Lag alarm threshold',
  },
  kinesisShards: {
    key: 'kinesisShards', kind: 'int', min: 1, max: 500, modes: SUBSCRIBE, example: '2', defaultDoc: 'none',
    meaning: 'Route deliveries through a Kinesis stream with this many shards',
  },
  alertQueueArn: {
    key: 'alertQueueArn', kind: 'text', pattern: QUEUE_ARN, shape: 'an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)', modes: ALL,
    example: 'arn:aws:sqs:eu-west-1:123456789012:alerts', defaultDoc: 'a new queue',
    meaning: 'Send to an existing queue (standard or `.fifo`) instead',
  },
  alertQueueKmsKeyArn: {
    key: 'alertQueueKmsKeyArn', kind: 'text', pattern: KMS_KEY_ARN, shape: 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)', modes: ALL,
    example: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', defaultDoc: 'none',
    meaning: 'That queue\'s customer-managed KMS key, if any (the function gets `kms:GenerateDataKey`/`kms:Decrypt` on it)',
  },
  alertQueueSenderArns: {
    key: 'alertQueueSenderArns', kind: 'list', itemPattern: PRINCIPAL_ARN, shape: 'IAM role or user ARNs (arn:aws:iam::<account>:role/<name>)', modes: ALL,
    example: 'arn:aws:iam::123456789012:role/alert-test-tool', defaultDoc: 'none',
    meaning: 'IAM role or user ARNs, comma-separated, that may send to the alert queue besides the function',
  },
  alertQueueMaxReceiveCount: {
    key: 'alertQueueMaxReceiveCount', kind: 'int', min: 1, max: 1000, default: 5, modes: ALL, example: '10',
    meaning: 'Receives of an alert before the created alert queue moves it to its dead-letter queue',
  },
  alarmEmail: {
    key: 'alarmEmail', kind: 'text', pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, shape: 'an e-mail address', modes: ALL, example: 'secops@example.com', defaultDoc: 'none',
    meaning: 'Subscribe this address to an encrypted SNS topic that every alarm notifies',
  },
  flowLogVpcId: {
    key: 'flowLogVpcId', kind: 'text', pattern: /^vpc-[0-9a-f]{8,17}$/, shape: 'a VPC id (vpc-0123456789abcdef0)', modes: ALL, example: 'vpc-0123456789abcdef0', defaultDoc: 'none',
    meaning: 'Also create a flow log for this VPC, read by the function: 1-minute aggregation, the recommended custom format, to its own log group (`poll`, `subscribe`) or, in `s3` mode instead of `flowLogBucket`, to a new bucket (1-year retention either way)',
  },
  flowLogTrafficType: {
    key: 'flowLogTrafficType', kind: 'enum', values: ['REJECT', 'ALL', 'ACCEPT'], default: 'REJECT', modes: ALL, example: 'ALL',
    meaning: 'Traffic the created flow log records',
  },
  stackName: {
    key: 'stackName', kind: 'text', pattern: /^[A-Za-z][A-Za-z0-9-]{0,127}$/, shape: 'a CloudFormation stack name', modes: ALL, default: 'VpcFlowAlerts', example: 'VpcFlowAlertsProd',
    meaning: 'CloudFormation stack name',
  },
  // Wiring the stack sets on the function; not CDK context.
  logGroupsJson: {
    key: 'logGroupsJson', kind: 'text', shape: 'a JSON array of log groups', modes: LOGS, env: 'LOG_GROUPS', context: false, example: '[{"name":"/aws/vpc/flowlogs"}]', defaultDoc: '(required)',
    meaning: 'JSON array of `{"name", "logFormat", "filterPattern"}`; `logFormat` defaults to the version 2 layout, `filterPattern` to `?REJECT ?SKIPDATA` (`""` reads everything)',
  },
  queueUrl: {
    key: 'queueUrl', kind: 'text', pattern: SQS_QUEUE_URL, shape: 'an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)', modes: ALL, env: 'QUEUE_URL', context: false,
    example: 'https://sqs.eu-west-1.amazonaws.com/123456789012/alerts', defaultDoc: '(required)',
    meaning: 'The alert queue\'s URL; a `.fifo` queue gets `MessageGroupId` (the ENI) and `MessageDeduplicationId` (`alert_id`)',
  },
  quarantineQueueUrl: {
    key: 'quarantineQueueUrl', kind: 'text', pattern: SQS_STANDARD_QUEUE_URL, shape: 'a standard SQS queue URL', modes: ALL, env: 'QUARANTINE_QUEUE_URL', context: false,
    example: 'https://sqs.eu-west-1.amazonaws.com/123456789012/alerts-quarantine', defaultDoc: '(required)',
    meaning: 'A standard queue for records the alert queue refuses even in minimal form: the raw record (base64) and the reason',
  },
  notificationQueueUrl: {
    key: 'notificationQueueUrl', kind: 'text', pattern: SQS_STANDARD_QUEUE_URL, shape: 'a standard SQS queue URL', modes: S3, env: 'NOTIFICATION_QUEUE_URL', context: false,
    example: 'https://sqs.eu-west-1.amazonaws.com/123456789012/flow-log-notifications', defaultDoc: 'none: objects are read to their end or the timeout',
    meaning: 'The notification queue the function reads (`s3` mode): the rest of an object an invocation runs out of time in is sent there as a continuation',
  },
  checkpointTable: {
    key: 'checkpointTable', kind: 'text', pattern: /^[\w.-]{3,255}$/, shape: 'a DynamoDB table name', modes: ALL, env: 'CHECKPOINT_TABLE', context: false,
    example: 'vpc-flow-alerts-checkpoints', defaultDoc: '(required in `poll` mode, and for findings)',
    meaning: 'DynamoDB table with string partition key `pk` and TTL attribute `expiresAt`: checkpoints and finding state',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

const ALL_SETTINGS: readonly SettingSpec[] = Object.values(SETTINGS);
/** The settings users give as CDK context, in the README's order. */
export const CONTEXT_SETTINGS: readonly SettingSpec[] = ALL_SETTINGS.filter((s) => s.context !== false);
/** The settings the function reads from its environment. */
export const ENV_SETTINGS: readonly SettingSpec[] = ALL_SETTINGS.filter((s) => s.env !== undefined);

/** Environment variable names; the construct sets them and the function reads them. */
export const ENV = {
  logGroups: SETTINGS.logGroupsJson.env,
  queueUrl: SETTINGS.queueUrl.env,
  quarantineQueueUrl: SETTINGS.quarantineQueueUrl.env,
  checkpointTable: SETTINGS.checkpointTable.env,
  lookbackMinutes: SETTINGS.lookbackMinutes.env,
  maxEventsPerRun: SETTINGS.maxEventsPerRun.env,
  maxCatchUpHours: SETTINGS.maxCatchUpHours.env,
  maxMessageBytes: SETTINGS.maxMessageBytes.env,
  filterRequestsPerSecond: SETTINGS.filterRequestsPerSecond.env,
  internalCidrs: SETTINGS.internalCidrs.env,
  severityProfile: SETTINGS.severityProfile.env,
  severityRules: SETTINGS.severityRules.env,
  alertMode: SETTINGS.alertMode.env,
  outputFormat: SETTINGS.outputFormat.env,
  scanPortThreshold: SETTINGS.scanPortThreshold.env,
  sweepHostThreshold: SETTINGS.sweepHostThreshold.env,
  findingWindowMinutes: SETTINGS.findingWindowMinutes.env,
  allowlistCidrs: SETTINGS.allowlistCidrs.env,
  flowLogBucket: SETTINGS.flowLogBucket.env,
  flowLogPrefix: SETTINGS.flowLogPrefix.env,
  notificationQueueUrl: SETTINGS.notificationQueueUrl.env,
} as const;

/** The event push mode's schedule sends the function: close the finding windows that can get no more records. */
export const CLOSE_FINDINGS_EVENT = { vpcFlowAlerts: 'close-findings' } as const;

/** The bucket name of a bucket name or ARN (`arn:aws:s3:::name`). */
export function bucketName(value: string): string {
  return value.slice(value.lastIndexOf(':') + 1);
}

/** The checkpoint table's partition key (string) and TTL attribute: the construct creates them, the store writes them. */
export const CHECKPOINT_KEY = 'pk';
export const CHECKPOINT_TTL = 'expiresAt';
