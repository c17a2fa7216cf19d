/** `npm run replay` as a user runs it: a child process with the standard AWS_ENDPOINT_URL_* variables against local endpoints. */
import { join } from 'node:path';
import type { LocalAws } from '../../local/local-aws';
import { flowLine, makePoller, MIN, pollerEnv, startLocalAws } from '../../local/local-aws';
import { captureStdout } from '../helpers/capture-output';
import { ENV } from '../../lambda/settings/settings-table';
import { ALLOWLISTED_RANGE, plantedAttacks } from '../../local/flow-traffic';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { localS3 } from '../../local/local-sqs';
import { localAwsEnv, runChild } from '../helpers/run-child';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({ pageSize: 1000 });
});
afterAll(async () => aws.stop());

function replay(args: readonly string[]) {
  return runChild(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'lambda', 'cli', 'replay-command.ts'), ...args], { env: localAwsEnv(aws) });
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('replay', () => {
  it('sends a range through the poller\'s path: the same bodies and alert_ids, every record once, paced over pages', async () => {
    const group = '/aws/vpc/replay-1';
    aws.logs.createLogGroup(group);
    const t = aws.clock.ms;
    const ids = aws.logs.putEvents(group, Array.from({ length: 2500 }, (_, i) => ({ timestamp: t + 1000 + i, message: flowLine(i, t + i) })));
    const outside = aws.logs.putEvents(group, [{ timestamp: t + 2 * 3_600_000, message: flowLine(9, t + 2 * 3_600_000) }]);
    aws.logs.putEvents(group, [{ timestamp: t + 1000, message: '2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK' }]);
    const replayQueue = await aws.sqs.createQueue('replay-1');
    aws.clock.ms = t + 5 * MIN;
    const result = await replay(['--log-group', group, '--start', iso(t), '--end', iso(t + MIN), '--queue-url', replayQueue]);
    expect(result.stderr).toContain('replay: page 3: 2,500 records, 2,500 alerts sent, 0 failed');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ pages: 3, records: 2500, alertsSent: 2500, failed: 0 });
    const replayed = (await aws.sqs.drain(replayQueue)).map((m) => m.Body ?? '');
    const replayedIds = replayed.map((b) => (JSON.parse(b) as { alert_id: string }).alert_id);
    expect(replayedIds.sort()).toEqual([...ids].sort());
    expect(replayedIds).not.toContain(outside[0]);

    // The poller sends byte-identical bodies for the same events.
    const pollQueue = await aws.sqs.createQueue('replay-1-poll');
    await aws.dynamo.createCheckpointTable('replay-1-poll');
    const out = captureStdout();
    try {
      await makePoller(aws, pollerEnv(pollQueue, 'replay-1-poll', {}, group)).invoke();
    } finally {
      out.restore();
    }
    const polled = (await aws.sqs.drain(pollQueue)).map((m) => m.Body ?? '');
    expect(polled.sort()).toEqual(replayed.sort());
  });

  it('with --alert-mode findings, closes every window at the end and sends the same findings, with the same ids, as the stack', async () => {
    const group = '/aws/vpc/replay-findings';
    aws.logs.createLogGroup(group);
    const hour = 60 * MIN;
    const start = Math.ceil(aws.clock.ms / hour) * hour;
    const planted = plantedAttacks(start + 10 * MIN);
    aws.logs.putEvents(group, planted.events.map((e) => ({ ...e, ingestionTime: e.timestamp + MIN })));
    const replayQueue = await aws.sqs.createQueue('replay-findings');
    aws.clock.ms = start + hour;
    const result = await replay(['--log-group', group, '--start', iso(start), '--end', iso(start + hour), '--queue-url', replayQueue, '--alert-mode', 'findings', '--allowlist', ALLOWLISTED_RANGE]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ records: planted.events.length, alertsSent: 0, held: planted.events.length, findingsSent: { port_scan: 1, host_sweep: 1, lateral_blocked: 1, egress_blocked: 1 } });
    const replayed = (await aws.sqs.drain(replayQueue)).map((m) => JSON.parse(m.Body ?? '') as { alert_id: string; finding_type: string });

    const pollQueue = await aws.sqs.createQueue('replay-findings-poll');
    await aws.dynamo.createCheckpointTable('replay-findings-poll');
    const poller = makePoller(aws, pollerEnv(pollQueue, 'replay-findings-poll', { [ENV.alertMode]: 'findings', [ENV.allowlistCidrs]: ALLOWLISTED_RANGE, [ENV.maxCatchUpHours]: '3' }, group));
    const out = captureStdout();
    try {
      aws.clock.ms = start + 5 * MIN;
      while (aws.clock.ms < start + 2 * hour) {
        await poller.invoke();
        aws.clock.ms += 5 * MIN;
      }
    } finally {
      out.restore();
    }
    const polled = (await aws.sqs.drain(pollQueue)).map((m) => JSON.parse(m.Body ?? '') as { alert_id: string; finding_type: string });
    // Same ids, and the same bodies: the same flows went into the same windows.
    const byId = (a: { alert_id: string }, b: { alert_id: string }) => (a.alert_id < b.alert_id ? -1 : 1);
    expect(polled.sort(byId)).toEqual(replayed.sort(byId));
    expect(polled.map((f) => f.finding_type).sort()).toEqual(['egress_blocked', 'host_sweep', 'lateral_blocked', 'port_scan']);
  });

  it('with --s3, sends the flow-log objects of the range\'s days through the S3 source\'s path', async () => {
    const bucket = 'replay-archive';
    const s3 = await localS3(aws.sqs, bucket);
    const region = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/';
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    const file = (day: string, time: string, n: number) => ({
      Key: `${region}${day}/123456789012_vpcflowlogs_us-east-1_fl-1_${day.replace(/\//g, '')}T${time}Z_h.log.gz`,
      Body: gzipSync(`${header}\n${Array.from({ length: n }, (_, i) => flowLine(i, Date.UTC(2026, 10, 24))).join('\n')}\n`),
    });
    for (const object of [file('2026/11/24', '0105', 10), file('2026/11/24', '2355', 5), file('2026/11/23', '1200', 7)]) await s3.send(new PutObjectCommand({ Bucket: bucket, ...object }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${region}2026/11/24/manifest.json`, Body: '{}' }));
    const queue = await aws.sqs.createQueue('replay-s3');
    const result = await replay(['--s3', `s3://${bucket}/${region}`, '--start', '2026-11-24T00:00:00Z', '--end', '2026-11-24T23:59:59Z', '--queue-url', queue]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ objects: 2, records: 15, alertsSent: 15, failed: 0 });
    expect(await aws.sqs.drain(queue)).toHaveLength(15);
    s3.destroy();
    expect((await replay(['--s3', 'not-a-url', '--start', '2026-11-24T00:00:00Z', '--end', '2026-11-24T01:00:00Z', '--queue-url', queue])).stderr).toContain('--s3 "not-a-url" is not s3://<bucket>/<prefix>');
  });

  it('with --s3 and --alert-mode findings, counts the objects\' flows in findings under s3://bucket/prefix and sends them at the end', async () => {
    const bucket = 'replay-findings-archive';
    const s3 = await localS3(aws.sqs, bucket);
    const region = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/';
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    const planted = plantedAttacks(Date.UTC(2026, 10, 24, 10, 0, 0));
    // Two flow logs' files, interleaved in key order as a listing gives them.
    const halves = [planted.events.filter((_, i) => i % 2 === 0), planted.events.filter((_, i) => i % 2 === 1)];
    for (const [n, events] of halves.entries()) {
      for (const time of ['1005', '1010']) {
        const part = events.filter((_, i) => (time === '1005') === (i % 2 === 0));
        const key = `${region}2026/11/24/123456789012_vpcflowlogs_us-east-1_fl-${n}_20261124T${time}Z_h.log.gz`;
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(`${header}\n${part.map((e) => e.message).join('\n')}\n`) }));
      }
    }
    const queue = await aws.sqs.createQueue('replay-s3-findings');
    const result = await replay(['--s3', `s3://${bucket}/${region}`, '--start', '2026-11-24T00:00:00Z', '--end', '2026-11-24T23:59:59Z', '--queue-url', queue, '--alert-mode', 'findings', '--allowlist', ALLOWLISTED_RANGE]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ objects: 4, records: planted.events.length, alertsSent: 0, held: planted.events.length, findingsSent: { port_scan: 1, host_sweep: 1, lateral_blocked: 1, egress_blocked: 1 } });
    const findings = (await aws.sqs.drain(queue)).map((m) => JSON.parse(m.Body ?? '') as { log_group: string; finding_type: string });
    expect(new Set(findings.map((f) => f.log_group))).toEqual(new Set([`s3://${bucket}/${region}`]));
    expect((await replay(['--s3', `s3://${bucket}/${region}`, '--start', '2026-11-24T00:00:00Z', '--end', '2026-11-24T01:00:00Z', '--queue-url', queue, '--format', '${version}'])).stderr)
      .toContain('--format does not apply to --s3');
    s3.destroy();
  });

  it('exits 1 with the reason when the log group cannot be read', async () => {
    const queue = await aws.sqs.createQueue('replay-2');
    const result = await replay(['--log-group', '/aws/vpc/missing', '--start', '2026-11-25T00:00:00Z', '--end', '2026-11-25T01:00:00Z', '--queue-url', queue]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('replay: stopped: log group /aws/vpc/missing does not exist');
  });

  it.each([
    [['--log-group', 'bad name!'], /--log-group "bad name!" is not a log group name/],
    [['--start', 'yesterday'], /--start "yesterday" is not an ISO-8601 time/],
    [['--end', '2026-11-24T00:00:00Z'], /--end 2026-11-24T00:00:00Z is before --start/],
    [['--queue-url', 'arn:aws:sqs:us-east-1:123456789012:q'], /--queue-url "arn:aws:sqs:us-east-1:123456789012:q" is not an SQS queue URL/],
    [['--format', '${version} ${nope}'], /--format LogFormat field "nope" is not a VPC flow log field/],
    [['--format', ''], /--format is empty/],
    [['--bogus', 'x'], /Unknown option '--bogus'/],
  ])('exits 2 naming a bad argument: %j', async (override, message) => {
    const base: Record<string, string> = {
      '--log-group': '/aws/vpc/flowlogs', '--start': '2026-11-25T00:00:00Z', '--end': '2026-11-25T01:00:00Z',
      '--queue-url': 'https://sqs.us-east-1.amazonaws.com/123456789012/alerts',
    };
    const args = { ...base };
    for (let i = 0; i < override.length; i += 2) args[override[i] as string] = override[i + 1] as string;
    const result = await replay(Object.entries(args).flat());
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('usage: npm run --silent replay');
  });

  it('classifies as the stack does with the same options, and names a bad one', async () => {
    const group = '/aws/vpc/replay-3';
    aws.logs.createLogGroup(group);
    const t = aws.clock.ms;
    aws.logs.putEvents(group, [{ timestamp: t + 1000, message: `2 123456789012 eni-1 10.0.0.5 203.0.113.9 40000 443 6 1 40 ${Math.floor(t / 1000)} ${Math.floor(t / 1000) + 60} REJECT OK` }]);
    aws.clock.ms = t + 5 * MIN;
    const queue = await aws.sqs.createQueue('replay-3');
    const result = await replay(['--log-group', group, '--start', iso(t), '--end', iso(t + MIN), '--queue-url', queue, '--severity-profile', 'exposure']);
    expect(result.status).toBe(0);
    const [alert] = (await aws.sqs.drain(queue)).map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>);
    expect(alert).toMatchObject({ direction: 'outbound', severity: 'high' });
    const bad = await replay(['--log-group', group, '--start', iso(t), '--end', iso(t + MIN), '--queue-url', queue, '--severity-profile', 'loud']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--severity-profile=loud must be "seed" or "exposure"');
  });

  it('prints its usage with --help and exits 0', async () => {
    const result = await replay(['--help']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('--quarantine-queue-url URL');
  });
});
