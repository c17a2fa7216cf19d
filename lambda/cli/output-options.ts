import type { OutputFormat } from '../core/contract-version';
import { readSetting, SettingProblems } from '../settings/check-settings';
import { SETTINGS } from '../settings/settings-table';
import { OPTION_NAMING } from './classify-options';

/** The `node:util` parseArgs option that picks the contract, as the stack's outputFormat. */
export const OUTPUT_OPTIONS = { 'output-format': { type: 'string' } } as const;

/** Its line of a command's `--help`. */
export const OUTPUT_USAGE = `  --output-format F     native (default) or ocsf, as the stack's outputFormat`;

/** The output format the option gives, or a message naming the problem and a value that works. */
export function readOutputFormat(value: string | undefined): OutputFormat | string {
  const problems = new SettingProblems();
  const format = readSetting(SETTINGS.outputFormat, value, OPTION_NAMING, problems) ?? SETTINGS.outputFormat.default;
  try {
    problems.throwIfAny();
  } catch (error) {
    return (error as Error).message;
  }
  return format;
}
