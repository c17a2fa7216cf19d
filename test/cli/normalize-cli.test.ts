/** The normalize CLI as users (and the acceptance checks) run it: a real child process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { expectValidAlert } from '../helpers/alert-schema';
import { expectValidOcsf, OCSF_SCHEMA_DIR } from '../helpers/ocsf-validator';
import { flowLogParquet } from '../../local/flow-log-parquet';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(ROOT, 'lambda', 'cli', 'normalize-command.ts');

function run(args: string[], input: string | Buffer = ''): { status: number | null; alerts: Record<string, unknown>[]; stderr: string } {
  const result = spawnSync(TSX, [CLI, ...args], { input, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  const alerts = result.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  alerts.forEach(expectValidAlert);
  return { status: result.status, alerts, stderr: result.stderr };
}

const REJECT = '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const NODATA = '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA';

describe('npm run normalize', () => {
  it('reads plain lines from stdin and writes one alert per line; headers and blank lines produce nothing', () => {
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    const { status, alerts, stderr } = run([], `${header}\n${REJECT}\r\n\n${NODATA}\nnot a flow\n`);
    expect(status).toBe(0);
    expect(alerts.map((a) => a['severity'])).toEqual(['medium', 'info', 'low']);
    expect(alerts[2]).toMatchObject({ raw_event: { message: 'not a flow', record_format: 'unparsed' } });
    expect(stderr).toContain('input 5: sent as an unparsed alert (record_format "unparsed"): expected 14 fields, found 3');
  });

  it('reads a FILE with a custom --format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'normalize-'));
    const file = join(dir, 'flows.log');
    writeFileSync(file, '10.0.0.1 203.0.113.9 REJECT 2\n');
    const { status, alerts } = run(['--format', '${srcaddr} ${dstaddr} ${action} ${tcp-flags}', file]);
    expect(status).toBe(0);
    expect(alerts).toEqual([expect.objectContaining({ src_ip: '10.0.0.1', tcp_flag_names: ['SYN'], raw_event: expect.objectContaining({ record_format: 'custom' }) })]);
  });

  it('reads the JSON that aws logs filter-log-events prints, keeping event ids and times', () => {
    const output = {
      events: [
        { logStreamName: 'eni-1-all', timestamp: 1418530010000, message: REJECT, ingestionTime: 1418530351000, eventId: '123' },
        { logStreamName: 'eni-1-all', timestamp: 1431280876000, message: NODATA, ingestionTime: 1431281000000, eventId: '456' },
      ],
      searchedLogStreams: [],
    };
    const { status, alerts } = run(['--log-group', '/aws/vpc/flowlogs'], JSON.stringify(output, null, 2));
    expect(status).toBe(0);
    expect(alerts.map((a) => a['alert_id'])).toEqual(['123', '456']);
    expect(alerts[0]).toMatchObject({ raw_event: { log_group: '/aws/vpc/flowlogs', log_stream: 'eni-1-all', event_id: '123', ingestion_time: '2014-12-14T04:12:31.000Z' } });
  });

  it('without --format, an S3 header line sets the layout of the lines after it', () => {
    const { alerts } = run([], 'srcaddr action tcp-flags\n10.0.0.1 REJECT 18\n');
    expect(alerts).toEqual([expect.objectContaining({ src_ip: '10.0.0.1', action: 'REJECT', tcp_flags: 18 })]);
  });

  it('exits 2 naming the bad field when --format is wrong', () => {
    const { status, alerts, stderr } = run(['--format', '${version} ${srcadr}'], REJECT);
    expect(status).toBe(2);
    expect(alerts).toEqual([]);
    expect(stderr).toContain('"srcadr"');
  });

  it('exits 2 on an unknown option and 1 on an unreadable file', () => {
    expect(run(['--bogus']).status).toBe(2);
    expect(run(['/nonexistent/flows.log']).status).toBe(1);
  });

  it('prints every option and an example with --help', () => {
    const result = spawnSync(TSX, [CLI, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    for (const option of ['--format', '--log-group', '--max-message-bytes', 'FILE', 'example:', 'exit status']) expect(result.stderr).toContain(option);
  });

  it('reads gzip input by its content, whatever the name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'normalize-'));
    const file = join(dir, 'flows.log');
    writeFileSync(file, gzipSync(`${REJECT}\n${NODATA}\n`));
    expect(run([file]).alerts.map((a) => a['severity'])).toEqual(['medium', 'info']);
    expect(run([], gzipSync(`${REJECT}\n`)).alerts).toHaveLength(1);
  });

  it('reads a flow log\'s Parquet file (as S3 holds it) to the alerts its text form gives', () => {
    const dir = mkdtempSync(join(tmpdir(), 'normalize-'));
    const fields = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'];
    const file = join(dir, '123456789012_vpcflowlogs_us-east-1_fl-1_20261125T0000Z_abc.log.parquet');
    writeFileSync(file, flowLogParquet(fields, [REJECT, NODATA].map((l) => l.split(' '))));
    const fromParquet = run([file]);
    const fromText = run([], `${fields.join(' ')}\n${REJECT}\n${NODATA}\n`);
    expect(fromParquet.status).toBe(0);
    const flow = (a: Record<string, unknown>) => ({ ...a, alert_id: undefined, raw_event: undefined });
    expect(fromParquet.alerts.map(flow)).toEqual(fromText.alerts.map(flow));
    expect(fromParquet.alerts.map((a) => a['severity'])).toEqual(['medium', 'info']);
    // Its schema gives the layout: another one would put values under the wrong fields.
    const withFormat = run(['--format', '${version} ${srcaddr}', file]);
    expect(withFormat.status).toBe(2);
    expect(withFormat.stderr).toContain('--format does not apply to a Parquet file');
    // Parquet's magic at both ends and nothing readable between: the reason, exit 1.
    const broken = join(dir, 'broken.parquet');
    writeFileSync(broken, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from([8, 0, 0, 0]), Buffer.from('PAR1')]));
    const unreadable = run([broken]);
    expect(unreadable.status).toBe(1);
    expect(unreadable.stderr).toMatch(/normalize: cannot read .*broken\.parquet: the object is not a flow-log Parquet file/);
  });

  it('exits 3 with a hint when the input had records and none could be parsed', () => {
    const v5 = '5 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 REJECT OK vpc-1 subnet-1 i-1 2 IPv4 10.0.0.1 10.0.0.2';
    const { status, alerts, stderr } = run([], `${v5}\n${v5}\n`);
    expect(status).toBe(3);
    expect(alerts).toHaveLength(2);
    expect(stderr).toContain('no record could be parsed. Give the flow log\'s layout with --format');
    expect(run([], '').status).toBe(0);
  });

  it('refuses an empty --format instead of falling back to the version 2 layout', () => {
    const { status, stderr } = run(['--format', ''], REJECT);
    expect(status).toBe(2);
    expect(stderr).toContain('--format is empty');
  });

  it('takes the layout from a header before the first record only: a later header is reported and skipped', () => {
    const { status, alerts, stderr } = run([], 'srcaddr dstaddr action\n10.0.0.1 10.0.0.2 REJECT\ndstaddr srcaddr action\n10.0.0.3 10.0.0.4 REJECT\n');
    expect(status).toBe(0);
    expect(alerts.map((a) => [a['src_ip'], a['dst_ip']])).toEqual([['10.0.0.1', '10.0.0.2'], ['10.0.0.3', '10.0.0.4']]);
    expect(stderr).toContain('input 3: a header line after the first record (or with --format) was skipped');
  });

  it('writes the body the Lambda would send: cut to the message size, SQS-safe', () => {
    const { alerts } = run(['--max-message-bytes', '4096'], `REJECT ${'x'.repeat(10_000)}\uFFFF\n`);
    expect(alerts[0]?.['raw_event']).toMatchObject({ truncated: true, truncation_reason: 'message_too_large' });
  });

  it('classifies with the stack\'s settings given as options, and names a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'normalize-'));
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify([{ dst_ports: [8080], severity: 'high' }]));
    const lines = ['2 1 eni-1 10.0.0.5 203.0.113.9 40000 443 6 1 40 1 2 REJECT OK', '2 1 eni-1 198.51.100.7 10.0.0.5 40000 8080 6 1 40 1 2 REJECT OK', '2 1 eni-1 198.51.100.7 10.0.0.5 40000 22 6 1 40 1 2 REJECT OK'];
    const { status, alerts } = run(['--severity-profile', 'exposure', '--internal-cidrs', '198.51.100.0/24', '--severity-rules', rules], `${lines.join('\n')}\n`);
    expect(status).toBe(0);
    expect(alerts.map((a) => [a['direction'], a['severity']])).toEqual([['outbound', 'high'], ['internal', 'high'], ['internal', 'high']]);
    expect(run(['--severity-profile', 'exposure'], `${lines[2]}\n`).alerts.map((a) => [a['direction'], a['severity'], a['service']])).toEqual([['inbound', 'medium', 'ssh']]);
    const bad = run(['--internal-cidrs', '10.0.0.0/40'], lines[0]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--internal-cidrs: "/40" is not a prefix length from 0 to 32');
  });
});

describe('npm run normalize --alert-mode', () => {
  const line = (src: string, dst: string, port: number, startS: number, eni = 'eni-0a1b2c3d4e5f60708'): string => `2 123456789010 ${eni} ${src} ${dst} 40000 ${port} 6 1 44 ${startS} ${startS + 30} REJECT OK`;
  const start = 1_795_608_000; // 2026-11-25T12:00:00Z
  const scan = Array.from({ length: 12 }, (_, i) => line('198.51.100.23', '10.0.1.12', 1000 + i, start + i * 10));
  const allowlisted = Array.from({ length: 12 }, (_, i) => line('192.0.2.10', '10.0.1.12', 2000 + i, start + i * 10));
  const nextWindow = Array.from({ length: 11 }, (_, i) => line('198.51.100.23', '10.0.1.12', 3000 + i, start + 3600 + i * 10));
  const input = `${[...scan, ...allowlisted, ...nextWindow].join('\n')}\n`;

  it('findings: writes the findings of every window at the end of input, and no held or allowlisted flow', () => {
    const { status, alerts, stderr } = run(['--alert-mode', 'findings', '--allowlist', '192.0.2.0/24', '--log-group', '/aws/vpc/flowlogs'], input);
    expect(status).toBe(0);
    expect(alerts.map((a) => [a['category'], a['finding_type'], a['window_start'], a['distinct_ports']])).toEqual([
      ['finding', 'port_scan', '2026-11-25T12:00:00.000Z', 12],
      ['finding', 'port_scan', '2026-11-25T13:00:00.000Z', 11],
    ]);
    expect(alerts[0]).toMatchObject({ log_group: '/aws/vpc/flowlogs', src_ip: '198.51.100.23', dst_ip: '10.0.1.12', severity: 'medium' });
    expect(stderr).toContain('normalize: 2 findings (2 port_scan, 0 host_sweep, 0 lateral_blocked, 0 egress_blocked, 0 inbound_summary); flows not written on their own: 23 in findings, 12 allowlisted, 0 counted');
  });

  it('both: every flow alert, then the findings; the same input gives the same findings', () => {
    const first = run(['--alert-mode', 'both', '--scan-port-threshold', '12'], input);
    expect(first.alerts.filter((a) => a['category'] === 'network')).toHaveLength(35);
    const findings = first.alerts.filter((a) => a['category'] === 'finding');
    // The allowlist is empty here: the allowlisted scanner is a scan too; 11 ports are below the threshold of 12.
    expect(findings.map((a) => [a['finding_type'], a['src_ip'] ?? a['cloud_resource']])).toEqual(expect.arrayContaining([['port_scan', '198.51.100.23'], ['port_scan', '192.0.2.10']]));
    expect(findings.filter((a) => a['finding_type'] === 'port_scan')).toHaveLength(2);
    expect(run(['--alert-mode', 'both', '--scan-port-threshold', '12'], input).alerts).toEqual(first.alerts);
  });

  it('names a bad option with a value that works', () => {
    const { status, stderr } = run(['--alert-mode', 'findings', '--scan-port-threshold', '500'], input);
    expect(status).toBe(2);
    expect(stderr).toContain("--scan-port-threshold=500 must be a whole number from 2 to 64; e.g. --scan-port-threshold '20'");
    expect(run(['--scan-port-threshold', '20'], input).stderr).toContain("--scan-port-threshold only applies when findings are made, and --alert-mode is \"flows\": remove it, or set --alert-mode 'findings'");
  });
});

describe('npm run normalize --output-format ocsf', () => {
  it('writes OCSF Network Activity events (and Detection Findings), and names a bad format', () => {
    const result = spawnSync(TSX, [CLI, '--output-format', 'ocsf'], { input: `${REJECT}\nnot a flow\n`, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    expect(result.status).toBe(0);
    const events = result.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e['class_uid'], e['activity_id']])).toEqual([[4001, 5], [4001, 0]]);
    if (OCSF_SCHEMA_DIR !== undefined) for (const event of events) expectValidOcsf(event);
    const bad = spawnSync(TSX, [CLI, '--output-format', 'xml'], { input: REJECT, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`--output-format=xml must be "native" or "ocsf"; e.g. --output-format 'ocsf'`);
  });
});
