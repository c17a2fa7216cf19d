import { LogFormatError } from '../core/errors';
import type { CompiledFormat } from '../core/log-format';
import { compileFormat } from '../core/log-format';
import type { OutputFormat } from '../core/contract-version';
import type { FindingSettings } from '../core/finding';
import type { ClassifyOptions } from '../core/normalize';
import { DEFAULT_CLASSIFY } from '../core/normalize';
import type { SettingSpec } from '../settings/settings-table';
import type { Mode } from '../settings/settings-table';
import { bucketName, DEFAULT_FILTER_PATTERN, LOG_GROUP_NAME, SETTINGS } from '../settings/settings-table';
import { checkTogether, ENV_NAMING, readClassify, readFindings, readSetting, SettingProblems } from '../settings/check-settings';

/** One log group with its compiled layout. */
export interface LogGroupConfig {
  readonly name: string;
  readonly format: CompiledFormat;
  readonly filterPattern: string;
}

/** The function's validated configuration. */
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
  /** Internal networks and the severity policy. */
  readonly classify: ClassifyOptions;
  /** What is sent (alertMode) and how the detectors run. */
  readonly findings: FindingSettings;
  /** The contract message bodies follow. */
  readonly outputFormat: OutputFormat;
  /** `s3` mode: the bucket (its name) and the key prefix objects are read from. */
  readonly s3?: { readonly bucket: string; readonly prefix: string; readonly notificationQueueUrl?: string };
}

/**
 * Reads and validates the configuration from `env`, with the ranges and defaults of the settings
 * table. Every problem is collected, so one error names every bad variable with a value that works.
 * `subscribe` (push mode) ignores the polling settings, and needs the table only for findings.
 *
 * @throws ConfigError listing each bad setting.
 */
export function readConfig(env: Readonly<Record<string, string | undefined>>, mode: Mode = 'poll'): PollerConfig {
  const problems = new SettingProblems();
  const raw = (spec: SettingSpec): string | undefined => {
    const value = spec.env === undefined ? undefined : env[spec.env]?.trim();
    return value === '' ? undefined : value;
  };
  const required = <S extends SettingSpec>(spec: S): string => {
    const value = raw(spec);
    if (value === undefined) {
      problems.add(ENV_NAMING.name(spec), `${ENV_NAMING.name(spec)} is missing; e.g. ${ENV_NAMING.fix(spec, spec.example)}`);
      return '';
    }
    return String(readSetting(spec, value, ENV_NAMING, problems) ?? '');
  };
  const s = SETTINGS;
  // The S3 source reads a bucket, not log groups.
  const logGroups = mode === 's3' ? [] : readLogGroups(raw(s.logGroupsJson), problems);
  const notificationQueueUrl = mode === 's3' ? readSetting(s.notificationQueueUrl, raw(s.notificationQueueUrl), ENV_NAMING, problems) : undefined;
  const s3 = mode === 's3'
    ? { bucket: bucketName(required(s.flowLogBucket)), prefix: readSetting(s.flowLogPrefix, raw(s.flowLogPrefix), ENV_NAMING, problems) ?? '', ...(notificationQueueUrl !== undefined && { notificationQueueUrl }) }
    : undefined;
  const queueUrl = required(s.queueUrl);
  const quarantineQueueUrl = required(s.quarantineQueueUrl);
  const lookbackMinutes = readSetting(s.lookbackMinutes, raw(s.lookbackMinutes), ENV_NAMING, problems) ?? s.lookbackMinutes.default;
  const findings = readFindings(
    {
      lookbackMinutes,
      alertMode: readSetting(s.alertMode, raw(s.alertMode), ENV_NAMING, problems) ?? s.alertMode.default,
      scanPortThreshold: readSetting(s.scanPortThreshold, raw(s.scanPortThreshold), ENV_NAMING, problems) ?? s.scanPortThreshold.default,
      sweepHostThreshold: readSetting(s.sweepHostThreshold, raw(s.sweepHostThreshold), ENV_NAMING, problems) ?? s.sweepHostThreshold.default,
      findingWindowMinutes: readSetting(s.findingWindowMinutes, raw(s.findingWindowMinutes), ENV_NAMING, problems) ?? s.findingWindowMinutes.default,
      allowlistCidrs: readSetting(s.allowlistCidrs, raw(s.allowlistCidrs), ENV_NAMING, problems) ?? [],
    },
    new Set(),
    ENV_NAMING,
    problems,
  );
  // Push mode keeps no checkpoint (CloudWatch Logs tracks delivery itself), only finding state.
  const checkpointTable = mode === 'poll' || findings.alertMode !== 'flows' ? required(s.checkpointTable) : '';
  const maxCatchUpHours = readSetting(s.maxCatchUpHours, raw(s.maxCatchUpHours), ENV_NAMING, problems) ?? s.maxCatchUpHours.default;
  const config: PollerConfig = {
    logGroups,
    queueUrl,
    fifo: queueUrl.endsWith('.fifo'),
    quarantineQueueUrl,
    checkpointTable,
    lookbackMs: lookbackMinutes * 60_000,
    maxEventsPerRun: readSetting(s.maxEventsPerRun, raw(s.maxEventsPerRun), ENV_NAMING, problems) ?? s.maxEventsPerRun.default,
    maxCatchUpMs: maxCatchUpHours * 3_600_000,
    maxMessageBytes: readSetting(s.maxMessageBytes, raw(s.maxMessageBytes), ENV_NAMING, problems) ?? s.maxMessageBytes.default,
    filterRequestsPerSecond: readSetting(s.filterRequestsPerSecond, raw(s.filterRequestsPerSecond), ENV_NAMING, problems) ?? s.filterRequestsPerSecond.default,
    classify: DEFAULT_CLASSIFY,
    findings,
    outputFormat: readSetting(s.outputFormat, raw(s.outputFormat), ENV_NAMING, problems) ?? s.outputFormat.default,
    ...(s3 !== undefined && { s3 }),
  };
  checkTogether({ mode, lookbackMinutes, maxCatchUpHours, ...(s3 !== undefined && { flowLogBucket: s3.bucket }) }, new Set(), ENV_NAMING, problems);
  const classify = readClassify(
    {
      ...(raw(s.internalCidrs) !== undefined && { internalCidrs: readSetting(s.internalCidrs, raw(s.internalCidrs), ENV_NAMING, problems) ?? [] }),
      ...(raw(s.severityProfile) !== undefined && { severityProfile: readSetting(s.severityProfile, raw(s.severityProfile), ENV_NAMING, problems) ?? 'seed' }),
      ...(raw(s.severityRules) !== undefined && { severityRules: readSetting(s.severityRules, raw(s.severityRules), ENV_NAMING, problems) ?? '' }),
    },
    ENV_NAMING,
    problems,
  );
  problems.throwIfAny();
  return { ...config, classify };
}

function readLogGroups(raw: string | undefined, problems: SettingProblems): LogGroupConfig[] {
  const spec = SETTINGS.logGroupsJson;
  const name = ENV_NAMING.name(spec);
  const fail = (message: string): LogGroupConfig[] => {
    problems.add(name, `${name} ${message}; e.g. ${ENV_NAMING.fix(spec, spec.example)}`);
    return [];
  };
  if (raw === undefined) return fail('is missing');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail('is not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return fail('must be a non-empty JSON array');
  const groups: LogGroupConfig[] = [];
  const names = new Set<string>();
  parsed.forEach((item: unknown, index) => {
    const entry = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const group = entry['name'];
    if (typeof group !== 'string' || !LOG_GROUP_NAME.test(group)) {
      fail(`entry ${index}: "name" must be a log group name (1-512 of a-z A-Z 0-9 _ - / . #)`);
      return;
    }
    if (names.has(group)) {
      fail(`entry ${index}: log group "${group}" is listed twice`);
      return;
    }
    names.add(group);
    const logFormat = entry['logFormat'];
    const filterPattern = entry['filterPattern'];
    if (logFormat !== undefined && typeof logFormat !== 'string') fail(`entry ${index}: "logFormat" must be a string`);
    if (filterPattern !== undefined && typeof filterPattern !== 'string') fail(`entry ${index}: "filterPattern" must be a string`);
    try {
      groups.push({
        name: group,
        format: compileFormat(typeof logFormat === 'string' ? logFormat : undefined),
        filterPattern: typeof filterPattern === 'string' ? filterPattern : DEFAULT_FILTER_PATTERN,
      });
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      fail(`entry ${index} ("${group}"): ${error.message}`);
    }
  });
  return groups;
}
