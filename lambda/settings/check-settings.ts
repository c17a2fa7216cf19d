import { ConfigError, LogFormatError } from '../core/errors';
import type { Cidr } from '../core/ip-address';
import { parseCidr } from '../core/ip-address';
import { compileFormat } from '../core/log-format';
import type { FindingSettings } from '../core/finding';
import { LIMITS } from '../core/finding-state';
import type { ClassifyOptions } from '../core/normalize';
import type { SeverityRule } from '../core/severity';
import { parseSeverityRules } from '../core/severity';
import type { EnumSpec, IntSpec, ListSpec, Mode, SettingKey, SettingSpec } from './settings-table';
import { CONTEXT_SETTINGS, LOG_GROUP_NAME, MODES, SETTINGS } from './settings-table';

/** The header of every settings error, wherever the settings came from. */
export const SETTINGS_ERROR_HEADER = 'vpc-flow-alerts: invalid settings:';

/** How errors name a setting and write a value that works, for one place settings come from. */
export interface Naming {
  name(spec: SettingSpec): string;
  fix(spec: SettingSpec, value: string): string;
}

/** CDK context: `-c key=value`. */
export const CONTEXT_NAMING: Naming = { name: (s) => s.key, fix: (s, v) => `-c ${s.key}=${v}` };
/** Construct props: `key: value`. */
export const PROPS_NAMING: Naming = { name: (s) => s.key, fix: (s, v) => `${s.key}: ${s.kind === 'int' ? v : JSON.stringify(v)}` };
/** The function's environment: `VARIABLE=value`. */
export const ENV_NAMING: Naming = { name: (s) => s.env ?? s.key, fix: (s, v) => `${s.env ?? s.key}=${v}` };

/** Problems collected across settings, thrown at once under one header. */
export class SettingProblems {
  private readonly problems: string[] = [];
  private readonly names: string[] = [];

  public add(name: string, message: string): void {
    if (!this.names.includes(name)) this.names.push(name);
    this.problems.push(message);
  }

  public get count(): number {
    return this.problems.length;
  }

  /** @throws ConfigError naming every bad setting, when there is any. */
  public throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError(`${SETTINGS_ERROR_HEADER}\n  ${this.problems.join('\n  ')}`, this.names);
  }
}

/** The value type a spec reads to. */
export type ValueOf<S> = S extends IntSpec ? number : S extends ListSpec ? string[] : S extends EnumSpec ? S['values'][number] : string;
/** Read settings by key; absent when neither given nor defaulted. */
export type SettingValues = { -readonly [K in SettingKey]?: ValueOf<(typeof SETTINGS)[K]> };

/** Shows a value in an error, short. */
function shown(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * Reads one setting's raw value (a string from `-c` or the environment, or a typed value from
 * `cdk.json` or props). `undefined` or `null` gives the default. Problems name the setting, the
 * value given and a value that works.
 */
export function readSetting<S extends SettingSpec>(spec: S, raw: unknown, naming: Naming, problems: SettingProblems): ValueOf<S> | undefined {
  const fail = (message: string): undefined => {
    problems.add(naming.name(spec), `${naming.name(spec)}=${shown(raw)} ${message}; e.g. ${naming.fix(spec, spec.example)}`);
    return undefined;
  };
  if (raw === undefined || raw === null) return ('default' in spec ? spec.default : undefined) as ValueOf<S> | undefined;
  switch (spec.kind) {
    case 'int': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(value) || value < spec.min || value > spec.max) return fail(`must be a whole number from ${spec.min} to ${spec.max}`);
      return value as ValueOf<S>;
    }
    case 'enum': {
      const value = typeof raw === 'string' ? raw.trim() : raw;
      if (typeof value !== 'string' || !spec.values.includes(value)) return fail(`must be ${spec.values.map((v) => `"${v}"`).join(' or ')}`);
      return value as ValueOf<S>;
    }
    case 'text': {
      const value = typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : raw;
      if (typeof value !== 'string') return fail(`must be ${spec.shape}`);
      if (spec.pattern !== undefined && !spec.pattern.test(value)) return fail(`is not ${spec.shape}`);
      return value as ValueOf<S>;
    }
    case 'list': {
      const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s !== '') : raw;
      if (!Array.isArray(items) || !items.every((i): i is string => typeof i === 'string')) return fail(`must be ${spec.shape}, separated by commas`);
      const bad = items.find((i) => !spec.itemPattern.test(i));
      if (bad !== undefined) return fail(`holds "${shown(bad)}", which is not one of ${spec.shape}`);
      return items as ValueOf<S>;
    }
  }
}

/** One flow-log group as settings give it. */
export interface LogGroupSetting {
  readonly logGroupName: string;
  readonly logFormat?: string;
  readonly filterPattern?: string;
}

/** Checks log groups: names, duplicates, formats. `resolved` says whether a name is known at synth (not a token). */
export function checkLogGroups(groups: readonly LogGroupSetting[], naming: Naming, problems: SettingProblems, resolved: (name: string) => boolean = () => true): void {
  const spec = SETTINGS.logGroups;
  const seen = new Set<string>();
  for (const group of groups) {
    if (!resolved(group.logGroupName)) continue;
    if (!LOG_GROUP_NAME.test(group.logGroupName)) {
      problems.add(naming.name(spec), `${naming.name(spec)}: "${shown(group.logGroupName)}" is not a log group name (1-512 of a-z A-Z 0-9 _ - / . #); e.g. ${naming.fix(spec, spec.example)}`);
    }
    if (seen.has(group.logGroupName)) problems.add(naming.name(spec), `${naming.name(spec)}: "${group.logGroupName}" is listed twice; list each group once`);
    seen.add(group.logGroupName);
    try {
      compileFormat(group.logFormat);
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      const format = SETTINGS.logFormat;
      problems.add(naming.name(format), `${naming.name(format)} of ${group.logGroupName}: ${error.message}; e.g. ${naming.fix(format, format.example)}`);
    }
  }
}

/** The closest known context key to `key`, when one is close enough to be a likely typo. */
export function closestKey(key: string, known: readonly string[] = CONTEXT_SETTINGS.map((s) => s.key)): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { key: candidate, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Reads the classification settings (internalCidrs, severityProfile, severityRules) into what the
 * normalizer takes; problems name the setting, the rule and the field.
 */
export function readClassify(values: SettingValues, naming: Naming, problems: SettingProblems): ClassifyOptions {
  const internalCidrs = readCidrs(SETTINGS.internalCidrs, values.internalCidrs, naming, problems);
  let rules: SeverityRule[] = [];
  if (values.severityRules !== undefined && values.severityRules.trim() !== '') {
    const parsed = parseSeverityRules(values.severityRules);
    if (parsed.every((p): p is string => typeof p === 'string') && parsed.length > 0 && typeof parsed[0] === 'string') {
      for (const problem of parsed as string[]) {
        problems.add(naming.name(SETTINGS.severityRules), `${naming.name(SETTINGS.severityRules)}: ${problem}; e.g. ${naming.fix(SETTINGS.severityRules, SETTINGS.severityRules.example)}`);
      }
    } else {
      rules = parsed as SeverityRule[];
    }
  }
  return { internalCidrs, severity: { profile: values.severityProfile ?? 'seed', rules } };
}

/** Parses a list of CIDR blocks; each bad one is a problem naming the setting. */
function readCidrs(spec: ListSpec, texts: readonly string[] | undefined, naming: Naming, problems: SettingProblems): Cidr[] {
  const out: Cidr[] = [];
  for (const text of texts ?? []) {
    const cidr = parseCidr(text);
    if (typeof cidr === 'string') problems.add(naming.name(spec), `${naming.name(spec)}: ${cidr}; e.g. ${naming.fix(spec, spec.example)}`);
    else out.push(cidr);
  }
  return out;
}

/**
 * Windows a log group can have open at once: records reach back twice the lookback (a poll window
 * and its re-read) plus margins, and CloudWatch Logs takes events up to two hours ahead.
 */
function openWindows(lookbackMinutes: number, windowMinutes: number): number {
  return Math.ceil((2 * lookbackMinutes + 140) / windowMinutes) + 2;
}

/** The finding settings a detector threshold or allowlist only matters in. */
const FINDING_ONLY: readonly SettingKey[] = ['scanPortThreshold', 'sweepHostThreshold', 'findingWindowMinutes', 'allowlistCidrs'];

/**
 * Reads the finding settings (alertMode, thresholds, window, allowlist). `given` lists the settings
 * the user set: a threshold given while the detectors are off is a mistake worth naming.
 */
export function readFindings(values: SettingValues, given: ReadonlySet<SettingKey>, naming: Naming, problems: SettingProblems): FindingSettings {
  const s = SETTINGS;
  const alertMode = values.alertMode ?? s.alertMode.default;
  if (alertMode === 'flows') {
    for (const key of FINDING_ONLY.filter((k) => given.has(k))) {
      problems.add(naming.name(s[key]), `${naming.name(s[key])} only applies when findings are made, and ${naming.name(s.alertMode)} is "flows": remove it, or set ${naming.fix(s.alertMode, s.alertMode.example)}`);
    }
  }
  const windowMinutes = values.findingWindowMinutes ?? s.findingWindowMinutes.default;
  const lookback = values.lookbackMinutes ?? s.lookbackMinutes.default;
  if (alertMode !== 'flows' && openWindows(lookback, windowMinutes) > LIMITS.openWindows) {
    let working = windowMinutes;
    while (openWindows(lookback, working) > LIMITS.openWindows) working++;
    problems.add(
      naming.name(s.findingWindowMinutes),
      `${naming.name(s.lookbackMinutes)}=${lookback} with ${naming.name(s.findingWindowMinutes)}=${windowMinutes} keeps up to ${openWindows(lookback, windowMinutes)} finding windows open, and the state holds ${LIMITS.openWindows}; e.g. ${naming.fix(s.findingWindowMinutes, String(working))}`,
    );
  }
  return {
    alertMode,
    scanPortThreshold: values.scanPortThreshold ?? s.scanPortThreshold.default,
    sweepHostThreshold: values.sweepHostThreshold ?? s.sweepHostThreshold.default,
    windowMs: (values.findingWindowMinutes ?? s.findingWindowMinutes.default) * 60_000,
    allowlist: readCidrs(s.allowlistCidrs, values.allowlistCidrs, naming, problems),
  };
}

/**
 * Checks what no single setting can: that every given setting applies to the mode, that a poll run
 * ends before the next one starts, that catch-up reaches at least the lookback, and that a queue key
 * comes with its queue. `given` lists the settings the user set (not defaults).
 */
export function checkTogether(values: SettingValues, given: ReadonlySet<SettingKey>, naming: Naming, problems: SettingProblems): void {
  const mode: Mode = values.mode ?? 'poll';
  for (const key of given) {
    const spec: SettingSpec = SETTINGS[key];
    if (!spec.modes.includes(mode)) {
      const other = MODES.find((m) => spec.modes.includes(m)) ?? 'poll';
      problems.add(naming.name(spec), `${naming.name(spec)} applies to mode "${spec.modes.join('", "')}" only, and the mode is "${mode}": remove it, or set ${naming.fix(SETTINGS.mode, other)}`);
    }
  }
  const s = SETTINGS;
  if (mode === 'poll') {
    const interval = (values.scheduleMinutes ?? s.scheduleMinutes.default) * 60;
    const timeout = values.functionTimeoutSeconds ?? s.functionTimeoutSeconds.default;
    if (timeout >= interval) {
      const working = String(Math.max(s.functionTimeoutSeconds.min, Math.min(interval - 10, s.functionTimeoutSeconds.default)));
      problems.add(
        naming.name(s.functionTimeoutSeconds),
        `${naming.name(s.scheduleMinutes)}=${interval / 60} needs ${naming.name(s.functionTimeoutSeconds)} below ${interval} (runs must end before the next one starts), and it is ${timeout}; e.g. ${naming.fix(s.functionTimeoutSeconds, working)}`,
      );
    }
    const lookback = values.lookbackMinutes ?? s.lookbackMinutes.default;
    const catchUp = values.maxCatchUpHours ?? s.maxCatchUpHours.default;
    if (catchUp * 60 < lookback) {
      problems.add(
        naming.name(s.maxCatchUpHours),
        `${naming.name(s.lookbackMinutes)}=${lookback} needs ${naming.name(s.maxCatchUpHours)} of at least ${Math.ceil(lookback / 60)}, and it is ${catchUp}; e.g. ${naming.fix(s.maxCatchUpHours, String(Math.ceil(lookback / 60)))}`,
      );
    }
  }
  if (mode === 's3' && values.flowLogBucket === undefined && values.flowLogVpcId === undefined) {
    problems.add(
      naming.name(s.flowLogBucket),
      `${naming.name(s.flowLogBucket)} is missing: mode "s3" reads flow logs from a bucket; e.g. ${naming.fix(s.flowLogBucket, s.flowLogBucket.example)} (or ${naming.fix(s.flowLogVpcId, s.flowLogVpcId.example)} to create a flow log to a new bucket)`,
    );
  }
  if (mode === 's3' && values.flowLogBucket !== undefined && values.flowLogVpcId !== undefined) {
    // The flow log the stack creates writes to a bucket of its own, with the delivery policy it needs.
    problems.add(
      naming.name(s.flowLogVpcId),
      `${naming.name(s.flowLogVpcId)} creates a flow log to a new bucket, and ${naming.name(s.flowLogBucket)} names an existing one: give one of them, e.g. ${naming.fix(s.flowLogVpcId, values.flowLogVpcId)} alone`,
    );
  }
  if (mode === 's3' && values.flowLogBucket === undefined && values.flowLogVpcId !== undefined) {
    for (const spec of [s.flowLogPrefix, s.flowLogBucketKmsKeyArn, s.flowLogBucketAccount]) {
      if (given.has(spec.key as SettingKey)) {
        problems.add(naming.name(spec), `${naming.name(spec)} describes an existing bucket, and ${naming.name(s.flowLogVpcId)} creates one: remove it, or name the bucket with ${naming.fix(s.flowLogBucket, s.flowLogBucket.example)} instead of the VPC`);
      }
    }
  }
  if (given.has('flowLogTrafficType') && values.flowLogVpcId === undefined) {
    problems.add(naming.name(s.flowLogTrafficType), `${naming.name(s.flowLogTrafficType)} applies to the flow log the stack creates, and none is created: add ${naming.fix(s.flowLogVpcId, s.flowLogVpcId.example)}, or remove it`);
  }
  readClassify(values, naming, problems);
  readFindings(values, given, naming, problems);
  if (values.alertQueueKmsKeyArn !== undefined && values.alertQueueArn === undefined) {
    problems.add(
      naming.name(s.alertQueueKmsKeyArn),
      `${naming.name(s.alertQueueKmsKeyArn)} only applies with ${naming.name(s.alertQueueArn)} (a queue the stack creates uses SQS-managed encryption): remove it, or add ${naming.fix(s.alertQueueArn, s.alertQueueArn.example)}`,
    );
  }
}
