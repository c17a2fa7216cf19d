/**
 * Renders the README's settings tables from the one settings table (lambda/settings/settings-table.ts),
 * and rewrites them in place with `npm run gen:docs`; test/settings-doc.test.ts fails when they drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SettingSpec } from '../lambda/settings/settings-table';
import { CONTEXT_SETTINGS, ENV_SETTINGS, MODES } from '../lambda/settings/settings-table';

export const README_PATH = join(__dirname, '..', 'README.md');
export const CONTEXT_BEGIN = '<!-- BEGIN GENERATED CONTEXT SETTINGS (npm run gen:docs) -->';
export const CONTEXT_END = '<!-- END GENERATED CONTEXT SETTINGS -->';
export const ENV_BEGIN = '<!-- BEGIN GENERATED FUNCTION SETTINGS (npm run gen:docs) -->';
export const ENV_END = '<!-- END GENERATED FUNCTION SETTINGS -->';

const code = (text: string): string => `\`${text.replace(/\|/g, '\\|')}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|');

function defaultOf(spec: SettingSpec): string {
  if (spec.defaultDoc !== undefined) return spec.defaultDoc;
  if (!('default' in spec) || spec.default === undefined) return 'none';
  return spec.kind === 'int' ? String(spec.default) : code(String(spec.default));
}

function valuesOf(spec: SettingSpec): string {
  switch (spec.kind) {
    case 'int':
      return `${spec.min.toLocaleString('en-US')}-${spec.max.toLocaleString('en-US')}`;
    case 'enum':
      return spec.values.map(code).join(', ');
    default:
      return cell(spec.shape);
  }
}

const modesOf = (spec: SettingSpec): string => (spec.modes.length === MODES.length ? 'all' : spec.modes.map(code).join(', '));

/** The CDK context table: every setting a user gives with `-c key=value` or in cdk.json. */
export function renderContextTable(): string {
  const rows = CONTEXT_SETTINGS.map((s) => `| ${code(s.key)} | ${defaultOf(s)} | ${valuesOf(s)} | ${modesOf(s)} | ${cell(s.meaning)} |`);
  return ['| Context key | Default | Values | Modes | Meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** The function's environment table: what the stack sets and the function reads. */
export function renderEnvTable(): string {
  const rows = ENV_SETTINGS.map((s) => `| ${code(s.env ?? '')} | ${defaultOf(s)} | ${valuesOf(s)} | ${modesOf(s)} | ${cell(s.meaning)}${s.context === false ? '' : ` (context ${code(s.key)})`} |`);
  return ['| Variable | Default | Values | Modes | Meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** The README with both generated tables replaced by the current ones. */
export function withSettingsTables(readme: string): string {
  const replace = (text: string, begin: string, end: string, table: string): string => {
    const start = text.indexOf(begin);
    const stop = text.indexOf(end);
    if (start === -1 || stop === -1) throw new Error(`README.md lacks the markers ${begin} ... ${end}`);
    return `${text.slice(0, start + begin.length)}\n${table}\n${text.slice(stop)}`;
  };
  return replace(replace(readme, CONTEXT_BEGIN, CONTEXT_END, renderContextTable()), ENV_BEGIN, ENV_END, renderEnvTable());
}

if (require.main === module) {
  writeFileSync(README_PATH, withSettingsTables(readFileSync(README_PATH, 'utf8')));
  process.stdout.write(`wrote the settings tables in ${README_PATH}\n`);
}
