import { readFileSync } from 'node:fs';
import type { ClassifyOptions } from '../core/normalize';
import type { Naming, SettingValues } from '../settings/check-settings';
import { readClassify, readSetting, SettingProblems } from '../settings/check-settings';
import { SETTINGS } from '../settings/settings-table';

/** The `node:util` parseArgs options that set how alerts are classified, as the stack's settings do. */
export const CLASSIFY_OPTIONS = {
  'severity-profile': { type: 'string' },
  'internal-cidrs': { type: 'string' },
  'severity-rules': { type: 'string' },
} as const;

/** Their lines of a command's `--help`. */
export const CLASSIFY_USAGE = `  --severity-profile P  seed (default) or exposure, as the stack's severityProfile
  --internal-cidrs L    comma-separated CIDR blocks that count as private, as the stack's internalCidrs
  --severity-rules FILE a JSON file of severity rules, as the stack's severityRules`;

/** Settings named as command options: `--severity-profile`. */
export const OPTION_NAMING: Naming = {
  name: (s) => `--${s.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
  fix: (s, v) => `--${s.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} '${v}'`,
};

/**
 * The classification the options give, with the stack's checks and messages; a string naming the
 * problems when one is wrong.
 */
export function readClassifyOptions(values: { readonly 'severity-profile'?: string; readonly 'internal-cidrs'?: string; readonly 'severity-rules'?: string }): ClassifyOptions | string {
  const problems = new SettingProblems();
  const settings: SettingValues = {};
  if (values['severity-profile'] !== undefined) settings.severityProfile = readSetting(SETTINGS.severityProfile, values['severity-profile'], OPTION_NAMING, problems) ?? 'seed';
  if (values['internal-cidrs'] !== undefined) settings.internalCidrs = readSetting(SETTINGS.internalCidrs, values['internal-cidrs'], OPTION_NAMING, problems) ?? [];
  if (values['severity-rules'] !== undefined) {
    try {
      settings.severityRules = readFileSync(values['severity-rules'], 'utf8');
    } catch (error) {
      return `--severity-rules: cannot read ${values['severity-rules']}: ${(error as Error).message}`;
    }
  }
  const classify = readClassify(settings, OPTION_NAMING, problems);
  try {
    problems.throwIfAny();
  } catch (error) {
    return (error as Error).message;
  }
  return classify;
}
