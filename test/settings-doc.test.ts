/** The README's settings tables are the settings table's, rendered: `npm run gen:docs` rewrites them. */
import { readFileSync } from 'node:fs';
import { README_PATH, renderContextTable, renderEnvTable, withSettingsTables } from '../scripts/settings-doc';
import { CONTEXT_SETTINGS, ENV_SETTINGS } from '../lambda/settings/settings-table';

describe('README settings tables', () => {
  const readme = readFileSync(README_PATH, 'utf8');

  it('are what the settings table generates (run npm run gen:docs)', () => {
    expect(withSettingsTables(readme)).toBe(readme);
  });

  it('list every context setting and every environment variable, once', () => {
    for (const spec of CONTEXT_SETTINGS) expect(renderContextTable().split(`| \`${spec.key}\` |`)).toHaveLength(2);
    for (const spec of ENV_SETTINGS) expect(renderEnvTable().split(`| \`${spec.env}\` |`)).toHaveLength(2);
  });
});
