/** `npm run demo` as the README gives it: exits 0 and shows what arrived. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

it('runs the poller over the bundled samples and reports every matching record but the one beyond the lookback', () => {
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'demo.ts')], { encoding: 'utf8', timeout: 90_000 });
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/Records matching the filter: (\d+); delivered: (\d+); not delivered: 1\n/);
  expect(result.stdout).toContain('not delivered: very late arrival');
  expect(result.stdout).toMatch(/by record format: .*custom \(\d+\).*unparsed \(2\)/);
  const [, alerts, distinct] = /Alerts the pipeline received: (\d+) \(distinct alert_id: (\d+)\)/.exec(result.stdout) ?? [];
  expect(alerts).toBe(distinct);
}, 120_000);
