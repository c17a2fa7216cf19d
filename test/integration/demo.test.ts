/** `npm run demo` as the README gives it: exits 0 and shows what arrived, over the samples or your file. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = join(__dirname, '..', '..');

function demo(args: readonly string[] = []) {
  return spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'demo.ts'), ...args], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
}

/** The numbers of the summary line; fails the test when the line is missing. */
function received(stdout: string): { alerts: number; distinct: number } {
  const match = /Alerts the pipeline received: (\d+) \(distinct alert_id: (\d+)\)/.exec(stdout);
  expect(match).not.toBeNull();
  return { alerts: Number(match?.[1]), distinct: Number(match?.[2]) };
}

it('runs the poller over the bundled samples and reports every matching record but the one beyond the lookback', () => {
  const result = demo();
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/Records matching the filter: (\d+); delivered: (\d+); not delivered: 1\n/);
  expect(result.stdout).toContain('not delivered: very late arrival');
  expect(result.stdout).toMatch(/by record format: .*custom \(\d+\).*unparsed \(2\)/);
  expect(result.stdout).toContain('Unparsed records (sent as alerts with record_format "unparsed", raw message kept): 2');
  const { alerts, distinct } = received(result.stdout);
  expect(alerts).toBeGreaterThan(100);
  expect(alerts).toBe(distinct);
}, 120_000);

it('runs the same path over your own gzip file with its --format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-'));
  const file = join(dir, 'flows.log.gz');
  const lines = ['10.0.0.1 203.0.113.9 22 REJECT', '10.0.0.2 203.0.113.9 3389 REJECT', '10.0.0.3 203.0.113.9 443 ACCEPT', 'garbage'];
  writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
  const result = demo([file, '--format', '${srcaddr} ${dstaddr} ${dstport} ${action}']);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain(`loaded 4 events from ${file} into /demo/your-flow-logs (layout: \${srcaddr} \${dstaddr} \${dstport} \${action})`);
  // The filter pattern keeps the two REJECT records; the ACCEPT and the garbage line do not match it.
  expect(received(result.stdout)).toEqual({ alerts: 2, distinct: 2 });
  expect(result.stdout).toContain('Records matching the filter: 2; delivered: 2; not delivered: 0');
  expect(readFileSync(file).length).toBeGreaterThan(0);
}, 120_000);

it('explains itself with --help and refuses a --format without a FILE', () => {
  expect(demo(['--help'])).toMatchObject({ status: 0, stderr: expect.stringContaining('usage: npm run demo -- [FILE] [--format LOGFORMAT]') });
  expect(demo(['--format', '${srcaddr}'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--format applies to your FILE') });
}, 120_000);

it('with --alert-mode findings, shows the planted attacks as findings and far fewer messages', () => {
  const result = demo(['--alert-mode', 'findings']);
  expect(result.status).toBe(0);
  for (const line of [
    /high {3}egress_blocked {2}10\.0\.1\.15 was rejected by 1 public address/,
    /high {3}lateral_blocked 10\.0\.9\.50 was rejected by 3 private addresses/,
    /medium port_scan {7}198\.51\.100\.23 was rejected on 40 ports of 10\.0\.1\.12/,
    /medium host_sweep {6}203\.0\.113\.77 was rejected by 15 hosts/,
  ]) expect(result.stdout).toMatch(line);
  expect(result.stdout).not.toContain('192.0.2.10');
  const match = /(\d+) matching records became (\d+) findings: (\d+)x fewer messages/.exec(result.stdout);
  expect(Number(match?.[1]) / Number(match?.[2])).toBeGreaterThanOrEqual(10);
  expect(result.stdout).toMatch(/not delivered: 1 \(ingested later than the lookback\)/);
  // The README's worked example is this run's output.
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('Findings the pipeline received:');
  const shown = readme.slice(start, readme.indexOf('```', start)).trim().split('\n');
  expect(shown.length).toBeGreaterThan(5);
  for (const line of shown) expect(result.stdout).toContain(line);
}, 120_000);

it('with --source s3, reads the samples as .log.gz and Parquet objects through the real handler, the same alerts either way', () => {
  const result = demo(['--source', 's3']);
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/Alerts the pipeline received: (\d+) \((\d+) from the \.log\.gz, \2 from the Parquet object; the manifest was skipped\)/);
  expect(result.stdout).toContain("the two objects' alerts are the same but for where they came from: yes");
  expect(result.stdout).toContain('delivered again (as SQS may): ');
  expect(result.stdout).toContain('the same alert_ids: yes');
}, 120_000);
