import type { FindingSettings } from '../core/finding';
import type { Naming, SettingValues } from '../settings/check-settings';
import { readFindings, readSetting, SettingProblems } from '../settings/check-settings';
import type { SettingKey, SettingSpec } from '../settings/settings-table';
import { SETTINGS } from '../settings/settings-table';

/** The `node:util` parseArgs options that run the detectors, as the stack's settings do. */
export const FINDING_OPTIONS = {
  'alert-mode': { type: 'string' },
  'scan-port-threshold': { type: 'string' },
  'sweep-host-threshold': { type: 'string' },
  'finding-window-minutes': { type: 'string' },
  allowlist: { type: 'string' },
} as const;

/** Their lines of a command's `--help`. */
export const FINDING_USAGE = `  --alert-mode M        flows (default), findings or both, as the stack's alertMode; with findings
                        or both, every window of the input is closed at its end and its findings written
  --scan-port-threshold N, --sweep-host-threshold N, --finding-window-minutes N
                        as the stack's settings of those names (defaults 10, 10, 60)
  --allowlist L         comma-separated CIDR blocks whose sources make no findings, as allowlistCidrs`;

const OPTION_OF: Partial<Record<SettingKey, string>> = { allowlistCidrs: '--allowlist' };

/** Settings named as command options: `--alert-mode`, `--allowlist`. */
const OPTION_NAMING: Naming = {
  name: (s) => optionOf(s),
  fix: (s, v) => `${optionOf(s)} '${v}'`,
};

function optionOf(spec: SettingSpec): string {
  return OPTION_OF[spec.key as SettingKey] ?? `--${spec.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

type FindingValues = { readonly [K in keyof typeof FINDING_OPTIONS]?: string };

/** The detector settings the options give, with the stack's checks and messages; a string naming the problems otherwise. */
export function readFindingOptions(values: FindingValues): FindingSettings | string {
  const problems = new SettingProblems();
  const settings: SettingValues = {};
  const given = new Set<SettingKey>();
  const s = SETTINGS;
  const read = <K extends 'alertMode' | 'scanPortThreshold' | 'sweepHostThreshold' | 'findingWindowMinutes' | 'allowlistCidrs'>(key: K, raw: string | undefined): void => {
    if (raw === undefined) return;
    given.add(key);
    (settings as Record<string, unknown>)[key] = readSetting(s[key], raw, OPTION_NAMING, problems);
  };
  read('alertMode', values['alert-mode']);
  read('scanPortThreshold', values['scan-port-threshold']);
  read('sweepHostThreshold', values['sweep-host-threshold']);
  read('findingWindowMinutes', values['finding-window-minutes']);
  read('allowlistCidrs', values.allowlist);
  const findings = readFindings(settings, given, OPTION_NAMING, problems);
  try {
    problems.throwIfAny();
  } catch (error) {
    return (error as Error).message;
  }
  return findings;
}
