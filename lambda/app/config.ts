import { ConfigError, LogFormatError } from '../core/errors';
import type { CompiledFormat } from '../core/log-format';
import { compileFormat } from '../core/log-format';

/** Environment variable names; the CDK construct imports these so the two cannot drift. */
export const ENV = {
  /** JSON array: `[{"name": "/aws/vpc/flowlogs", "logFormat": "${version} ...", "filterPattern": "?REJECT ?SKIPDATA"}]`. */
  logGroups: 'LOG_GROUPS',
  queueUrl: 'QUEUE_URL',
  /** Standard queue for records the alert queue refuses even in minimal form. */
  quarantineQueueUrl: 'QUARANTINE_QUEUE_URL',
  checkpointTable: 'CHECKPOINT_TABLE',
  lookbackMinutes: 'LOOKBACK_MINUTES',
  maxEventsPerRun: 'MAX_EVENTS_PER_RUN',
  maxCatchUpHours: 'MAX_CATCH_UP_HOURS',
  maxMessageBytes: 'MAX_MESSAGE_BYTES',
  filterRequestsPerSecond: 'FILTER_REQUESTS_PER_SECOND',
} as const;

/** Rejected flows plus the records in which AWS reports that it dropped records. */
export const DEFAULT_FILTER_PATTERN = '?REJECT ?SKIPDATA';

/** Defaults of the poller settings, also shown in the README and used by the CDK construct. */
export const DEFAULTS = {
  lookbackMinutes: 15,
  maxEventsPerRun: 5000,
  maxCatchUpHours: 24,
  /** Fits every SQS queue (256 KiB was the limit before 2025 and is still many queues' setting). */
  maxMessageBytes: 262_144,
  /** FilterLogEvents allows 5 per second per account and Region, shared with every other caller. */
  filterRequestsPerSecond: 4,
} as const;

/** One log group with its compiled layout. */
export interface LogGroupConfig {
  readonly name: string;
  readonly format: CompiledFormat;
  readonly filterPattern: string;
}

/** The poller's validated configuration. */
export interface PollerConfig {
  readonly logGroups: readonly LogGroupConfig[];
  readonly queueUrl: string;
  readonly fifo: boolean;
  readonly quarantineQueueUrl: string;
  readonly checkpointTable: string;
  readonly lookbackMs: number;
  readonly maxEventsPerRun: number;
  readonly maxCatchUpMs: number;
  readonly maxMessageBytes: number;
  readonly filterRequestsPerSecond: number;
}

/** An SQS queue URL, standard or FIFO: `https://sqs.<region>.amazonaws.com/<account>/<name>`. */
export const SQS_QUEUE_URL = /^https?:\/\/\S+\/\d{12}\/[\w-]{1,80}(\.fifo)?$/;
const SQS_STANDARD_URL = /^https?:\/\/\S+\/\d{12}\/[\w-]{1,80}$/;

/** CloudWatch Logs group names: 1-512 characters of `a-zA-Z0-9_-/.#`. */
export const LOG_GROUP_NAME = /^[\w\-/.#]{1,512}$/;

/**
 * Reads and validates the configuration from `env`. Every problem is collected, so one error
 * names every bad variable with its fix. `subscribe` (push mode) needs no checkpoint table.
 *
 * @throws ConfigError listing each bad setting.
 */
export function readConfig(env: Readonly<Record<string, string | undefined>>, mode: 'poll' | 'subscribe' = 'poll'): PollerConfig {
  const problems: string[] = [];
  const settings: string[] = [];
  const fail = (setting: string, message: string): void => {
    settings.push(setting);
    problems.push(`${setting}: ${message}`);
  };

  const logGroups = readLogGroups(env[ENV.logGroups], (message) => fail(ENV.logGroups, message));
  const queueUrl = env[ENV.queueUrl]?.trim() ?? '';
  if (!SQS_QUEUE_URL.test(queueUrl)) {
    fail(ENV.queueUrl, `"${queueUrl}" is not an SQS queue URL; set it to the alert queue's URL (https://sqs.<region>.amazonaws.com/<account>/<name>)`);
  }
  const quarantineQueueUrl = env[ENV.quarantineQueueUrl]?.trim() ?? '';
  if (!SQS_STANDARD_URL.test(quarantineQueueUrl)) {
    fail(ENV.quarantineQueueUrl, `"${quarantineQueueUrl}" is not a standard SQS queue URL; set it to the quarantine queue's URL (https://sqs.<region>.amazonaws.com/<account>/<name>)`);
  }
  const checkpointTable = env[ENV.checkpointTable]?.trim() ?? '';
  // Push mode keeps no checkpoint: CloudWatch Logs tracks delivery itself.
  if (mode === 'poll' && !/^[\w.-]{3,255}$/.test(checkpointTable)) {
    fail(ENV.checkpointTable, `"${checkpointTable}" is not a DynamoDB table name; set it to the checkpoint table's name`);
  }
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      fail(name, `"${raw}" must be a whole number from ${min} to ${max} (default ${fallback})`);
      return fallback;
    }
    return value;
  };
  const lookbackMinutes = int(ENV.lookbackMinutes, DEFAULTS.lookbackMinutes, 1, 24 * 60);
  const maxEventsPerRun = int(ENV.maxEventsPerRun, DEFAULTS.maxEventsPerRun, 1, 1_000_000);
  const maxCatchUpHours = int(ENV.maxCatchUpHours, DEFAULTS.maxCatchUpHours, 1, 24 * 30);
  const maxMessageBytes = int(ENV.maxMessageBytes, DEFAULTS.maxMessageBytes, 4096, 1_048_576);
  const filterRequestsPerSecond = int(ENV.filterRequestsPerSecond, DEFAULTS.filterRequestsPerSecond, 1, 5);
  if (maxCatchUpHours * 60 < lookbackMinutes) {
    fail(ENV.maxCatchUpHours, `${maxCatchUpHours} h is shorter than ${ENV.lookbackMinutes} (${lookbackMinutes} min); make it at least the lookback`);
  }

  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, settings);
  }
  return {
    logGroups,
    queueUrl,
    fifo: queueUrl.endsWith('.fifo'),
    quarantineQueueUrl,
    checkpointTable,
    lookbackMs: lookbackMinutes * 60_000,
    maxEventsPerRun,
    maxCatchUpMs: maxCatchUpHours * 3_600_000,
    maxMessageBytes,
    filterRequestsPerSecond,
  };
}

function readLogGroups(raw: string | undefined, fail: (message: string) => void): LogGroupConfig[] {
  const example = `[{"name":"/aws/vpc/flowlogs"}]`;
  if (raw === undefined || raw.trim() === '') {
    fail(`missing; set it to a JSON array of log groups, for example ${example}`);
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    fail(`not valid JSON; set it to a JSON array of log groups, for example ${example}`);
    return [];
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    fail(`must be a non-empty JSON array, for example ${example}`);
    return [];
  }
  const groups: LogGroupConfig[] = [];
  const names = new Set<string>();
  parsed.forEach((item: unknown, index) => {
    const entry = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const name = entry['name'];
    if (typeof name !== 'string' || !LOG_GROUP_NAME.test(name)) {
      fail(`entry ${index}: "name" must be a log group name (1-512 of a-z A-Z 0-9 _ - / . #)`);
      return;
    }
    if (names.has(name)) {
      fail(`entry ${index}: log group "${name}" is listed twice`);
      return;
    }
    names.add(name);
    const logFormat = entry['logFormat'];
    const filterPattern = entry['filterPattern'];
    if (logFormat !== undefined && typeof logFormat !== 'string') fail(`entry ${index}: "logFormat" must be a string`);
    if (filterPattern !== undefined && typeof filterPattern !== 'string') fail(`entry ${index}: "filterPattern" must be a string`);
    try {
      groups.push({
        name,
        format: compileFormat(typeof logFormat === 'string' ? logFormat : undefined),
        filterPattern: typeof filterPattern === 'string' ? filterPattern : DEFAULT_FILTER_PATTERN,
      });
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      fail(`entry ${index} ("${name}"): ${error.message}`);
    }
  });
  return groups;
}
