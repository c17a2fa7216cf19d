/** `npm run synth` as a user runs it: the real CLI, the real app, local esbuild bundling, no AWS credentials. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');

function synth(args: string[]): { status: number | null; stderr: string; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'synth-'));
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'none-such', AWS_EC2_METADATA_DISABLED: 'true' };
  const result = spawnSync(CDK, ['synth', '-q', '-o', outdir, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stderr: result.stderr, outdir };
}

describe('cdk synth, offline', () => {
  it('synthesizes the stack from cdk.json, bundling the function with the local esbuild, with cdk-nag clean', () => {
    const { status, stderr, outdir } = synth([]);
    try {
      expect(stderr).not.toMatch(/error/i);
      expect(status).toBe(0);
      const template = JSON.parse(readFileSync(join(outdir, 'VpcFlowAlerts.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
      const types = new Set(Object.values(template.Resources).map((r) => r.Type));
      for (const type of ['AWS::Scheduler::Schedule', 'AWS::Lambda::Function', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard']) {
        expect(types).toContain(type);
      }
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ violations: unknown[] }> };
      expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
      // The bundle loads on its own and validates its configuration at cold start.
      const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function') as unknown as { Metadata: { 'aws:asset:path': string } };
      const bundle = join(outdir, fn.Metadata['aws:asset:path'], 'index.js');
      const run = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(bundle)})`], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
      expect(run.status).not.toBe(0);
      expect(run.stdout + run.stderr).toContain('LOG_GROUPS is missing');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 150_000);

  it('switches to push mode with one setting, bundling the subscription handler', () => {
    const { status, stderr, outdir } = synth(['-c', 'mode=subscribe', '-c', 'kinesisShards=1']);
    try {
      expect(stderr).not.toMatch(/error/i);
      expect(status).toBe(0);
      const template = JSON.parse(readFileSync(join(outdir, 'VpcFlowAlerts.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Metadata?: Record<string, string> }> };
      const types = Object.values(template.Resources).map((r) => r.Type);
      expect(types).toEqual(expect.arrayContaining(['AWS::Logs::SubscriptionFilter', 'AWS::Kinesis::Stream', 'AWS::Lambda::EventSourceMapping']));
      expect(types).not.toContain('AWS::Scheduler::Schedule');
      const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
      const bundle = join(outdir, fn?.Metadata?.['aws:asset:path'] ?? '', 'index.js');
      const run = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(bundle)})`], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
      expect(run.stdout + run.stderr).toContain('LOG_GROUPS is missing');
      expect(run.stdout + run.stderr).not.toContain('CHECKPOINT_TABLE');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 150_000);

  it('fails with the setting and the fix when a -c value is wrong', () => {
    const { status, stderr, outdir } = synth(['-c', 'logGroups=bad name!', '-c', 'functionTimeoutSeconds=600']);
    rmSync(outdir, { recursive: true, force: true });
    expect(status).not.toBe(0);
    expect(stderr).toContain('vpc-flow-alerts: invalid settings:');
    expect(stderr).toContain('logGroups: "bad name!" is not a log group name');
    expect(stderr).toContain('scheduleMinutes=5 needs functionTimeoutSeconds below 300 (runs must end before the next one starts), and it is 600; e.g. -c functionTimeoutSeconds=240');
  }, 150_000);
});
