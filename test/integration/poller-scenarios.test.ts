/**
 * Delivery scenarios: the real poller, real SDK clients, local endpoints. Each asserts exactly
 * what arrived in the queue: nothing lost, nothing doubled (or, where AWS semantics force a
 * repeat, only repeats of the same alert_id).
 */
import type { Message } from '@aws-sdk/client-sqs';
import { ENV } from '../../lambda/settings/settings-table';
import { METRICS } from '../../lambda/settings/metric-names';
import { expectValidAlert } from '../helpers/alert-schema';
import type { LocalAws } from '../../local/local-aws';
import { DynamoDbCheckpointStore } from '../../lambda/adapters/dynamodb-checkpoint-store';
import { flowLine, makePoller, MIN, pollerEnv, quarantineUrlFor, startLocalAws } from '../../local/local-aws';
import { join } from 'node:path';
import { captureStdout, metricSum } from '../helpers/capture-output';
import { localAwsEnv, runChild } from '../helpers/run-child';

jest.setTimeout(120_000);

let aws: LocalAws;
let counter = 0;

beforeAll(async () => {
  aws = await startLocalAws({ pageSize: 4000 });
});
afterAll(async () => aws.stop());

interface Alert {
  alert_id: string;
  severity: string;
  raw_event: { message: string; record_format: string; truncated?: boolean; event_id?: string };
}

/** A fresh log group, queue and table, so scenarios cannot see each other's data. */
async function scenario(extraEnv: Record<string, string> = {}) {
  counter++;
  const group = `/aws/vpc/flowlogs-${counter}`;
  const table = `checkpoints-${counter}`;
  aws.logs.createLogGroup(group);
  const queueUrl = await aws.sqs.createQueue(`alerts-${counter}`);
  await aws.dynamo.createCheckpointTable(table);
  const poller = makePoller(aws, pollerEnv(queueUrl, table, extraEnv, group));
  const received: Message[] = [];
  const tick = async (remainingMs?: number) => {
    aws.clock.ms += 5 * MIN;
    const summary = await poller.invoke(remainingMs);
    received.push(...(await aws.sqs.drain(queueUrl)));
    return summary.groups[0];
  };
  const alerts = (): Alert[] =>
    received.map((m) => {
      const body = JSON.parse(m.Body ?? '') as Alert;
      expectValidAlert(body);
      return body;
    });
  const put = (events: Array<{ timestamp: number; message: string; ingestionTime?: number }>) => aws.logs.putEvents(group, events);
  return { group, table, queueUrl, poller, tick, alerts, received, put };
}

const sorted = (ids: string[]) => [...ids].sort();

describe('poller against local AWS endpoints', () => {
  it('delivers late arrivals within the lookback once; one later than the lookback is not delivered', async () => {
    const s = await scenario();
    await s.tick();
    const t = aws.clock.ms;
    const onTime = s.put([{ timestamp: t + 1 * MIN, message: flowLine(1, t + MIN) }]);
    const late = s.put([{ timestamp: t + 2 * MIN, message: flowLine(2, t + 2 * MIN), ingestionTime: t + 14 * MIN }]);
    const tooLate = s.put([{ timestamp: t + 3 * MIN, message: flowLine(3, t + 3 * MIN), ingestionTime: t + 45 * MIN }]);
    for (let i = 0; i < 12; i++) await s.tick();
    expect(sorted(s.alerts().map((a) => a.alert_id))).toEqual(sorted([...onTime, ...late]));
    expect(s.alerts().map((a) => a.alert_id)).not.toContain(tooLate[0]);
  });

  it('sends 20,000 records over several capped runs, none lost or doubled, with API calls near the minimum', async () => {
    const s = await scenario();
    await s.tick();
    const t = aws.clock.ms;
    const ids = s.put(Array.from({ length: 20_000 }, (_, i) => ({ timestamp: t + 10 + (i % 280_000), message: flowLine(i, t + (i % 280_000)) })));
    const filterBefore = aws.logs.calls.count['FilterLogEvents'] ?? 0;
    const ends: string[] = [];
    for (let i = 0; i < 6; i++) ends.push((await s.tick())?.end ?? '');
    // Three runs of 5,000 are capped; the fourth sends the last 5,000 (and, its budget spent, may
    // end capped when its window ended just over one lookback ago); then the runs are caught up.
    expect(ends.slice(0, 3)).toEqual(['capped', 'capped', 'capped']);
    expect(ends.slice(4)).toEqual(['caught-up', 'caught-up']);
    const alerts = s.alerts();
    expect(alerts).toHaveLength(20_000);
    expect(new Set(alerts.map((a) => a.alert_id)).size).toBe(20_000);
    expect(sorted(alerts.map((a) => a.alert_id))).toEqual(sorted(ids));
    // Capped runs read 4,000 + 1,000 (8 pages); the first window after them re-reads the
    // lookback overlap (20,000 already-sent events, 5 pages of duplicates); then one empty read per tick.
    expect((aws.logs.calls.count['FilterLogEvents'] ?? 0) - filterBefore).toBeLessThanOrEqual(16);
  });

  it('after a failed checkpoint write, resends the page only as repeats of the same alert_id', async () => {
    const s = await scenario();
    await s.tick();
    const t = aws.clock.ms;
    const ids = s.put([1, 2, 3].map((i) => ({ timestamp: t + MIN, message: flowLine(i, t + MIN) })));
    s.poller.failNextCheckpointWrite = true;
    const failed = await s.tick();
    expect(failed).toMatchObject({ end: 'poll-error', alertsSent: 3, error: { kind: 'internal' } });
    await s.tick();
    await s.tick();
    const alertIds = s.alerts().map((a) => a.alert_id);
    expect(alertIds).toHaveLength(6);
    expect(sorted([...new Set(alertIds)])).toEqual(sorted(ids));
  });

  it('retries entries SQS reports as failed, without resending the ones that went through', async () => {
    const s = await scenario();
    await s.tick();
    const t = aws.clock.ms;
    const ids = s.put(Array.from({ length: 30 }, (_, i) => ({ timestamp: t + MIN, message: flowLine(i, t + MIN) })));
    // Entries 1, 11, 21 of every batch fail on every attempt of this run.
    aws.sqs.fault = (entry) => (entry.Id.endsWith('1') ? { code: 'InternalError' } : undefined);
    try {
      expect(await s.tick()).toMatchObject({ end: 'send-failed', sendFailures: 3, alertsSent: 27 });
    } finally {
      aws.sqs.fault = undefined;
    }
    await s.tick();
    expect(sorted(s.alerts().map((a) => a.alert_id))).toEqual(sorted(ids));
  });

  it('sends a page with records SQS refuses: one in minimal form, one to the quarantine queue, the rest as they are, and moves on', async () => {
    const s = await scenario();
    await s.tick();
    const t = aws.clock.ms;
    const ids = s.put(Array.from({ length: 50 }, (_, i) => ({ timestamp: t + MIN, message: flowLine(i, t + MIN) })));
    const [downgraded, quarantined] = [ids[10] as string, ids[40] as string];
    // SQS's answer to a body it refuses (as for U+FFFF): a Failed entry with SenderFault true.
    aws.sqs.fault = (entry) => {
      const body = JSON.parse(entry.MessageBody) as { kind?: string; alert_id?: string; raw_event?: { truncation_reason?: string } };
      if (body.kind !== undefined) return undefined; // the quarantine queue takes its messages
      if (body.alert_id === quarantined) return { code: 'InvalidMessageContents', senderFault: true };
      if (body.alert_id === downgraded && body.raw_event?.truncation_reason !== 'refused_by_queue') return { code: 'InvalidMessageContents', senderFault: true };
      return undefined;
    };
    const out = captureStdout();
    try {
      expect(await s.tick()).toMatchObject({ end: 'caught-up', alertsSent: 49, downgraded: 1, quarantined: 1, sendFailures: 0 });
      expect(metricSum(out.lines(), METRICS.quarantined, s.group)).toBe(1);
      const logged = out.lines().find((l) => String(l['message']).startsWith('records the alert queue refused'));
      expect(logged?.['records']).toEqual([{ eventId: quarantined, reason: 'InvalidMessageContents: injected by the test proxy; minimal form: InvalidMessageContents: injected by the test proxy' }]);
      // The raw record never reaches the log.
      expect(JSON.stringify(logged)).not.toContain('198.51.100.40');
    } finally {
      out.restore();
      aws.sqs.fault = undefined;
    }
    const later = s.put([{ timestamp: aws.clock.ms + MIN, message: flowLine(99, aws.clock.ms + MIN) }]);
    for (let i = 0; i < 4; i++) await s.tick();
    const alerts = s.alerts();
    expect(sorted(alerts.map((a) => a.alert_id))).toEqual(sorted([...ids.filter((id) => id !== quarantined), ...later]));
    expect(alerts.find((a) => a.alert_id === downgraded)?.raw_event).toMatchObject({ truncated: true, message: '' });
    const kept = (await aws.sqs.drain(quarantineUrlFor(s.queueUrl))).map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ alert_id: quarantined, event_id: quarantined, log_group: s.group });
    expect(Buffer.from(String(kept[0]?.['message_base64']), 'base64').toString()).toBe(flowLine(40, t + MIN));
  });

  it('classifies with the configured profile and internal networks: blocked lateral and egress traffic is high', async () => {
    const s = await scenario({ [ENV.severityProfile]: 'exposure', [ENV.internalCidrs]: '198.51.100.0/24' });
    await s.tick();
    const t = aws.clock.ms;
    const line = (src: string, dst: string, port: number) => `2 123456789012 eni-0a1b2c3d4e5f6a7b8 ${src} ${dst} 40000 ${port} 6 1 40 ${Math.floor(t / 1000)} ${Math.floor(t / 1000) + 60} REJECT OK`;
    const [lateral, egress, probe, admin] = s.put([
      { timestamp: t + MIN, message: line('198.51.100.7', '10.0.0.5', 445) }, // 198.51.100/24 is internal here
      { timestamp: t + MIN, message: line('10.0.0.5', '203.0.113.9', 443) },
      { timestamp: t + MIN, message: line('203.0.113.9', '10.0.0.5', 443) },
      { timestamp: t + MIN, message: line('203.0.113.9', '10.0.0.5', 3389) },
    ]);
    await s.tick();
    const byId = new Map(s.alerts().map((a) => [a.alert_id, a as unknown as Record<string, unknown>]));
    expect(byId.get(lateral as string)).toMatchObject({ severity: 'high', direction: 'internal', service: 'smb' });
    expect(byId.get(egress as string)).toMatchObject({ severity: 'high', direction: 'outbound', dst_scope: 'public' });
    expect(byId.get(probe as string)).toMatchObject({ severity: 'low', direction: 'inbound' });
    expect(byId.get(admin as string)).toMatchObject({ severity: 'medium', service: 'rdp' });
    // The filtering attribute carries the same severity.
    expect(s.received.find((m) => (JSON.parse(m.Body ?? '{}') as { alert_id: string }).alert_id === lateral)?.MessageAttributes?.['severity']?.StringValue).toBe('high');
  });

  it('rides out a throttling storm with backoff, counting every throttle, and loses nothing', async () => {
    const s = await scenario();
    await s.tick();
    const t = aws.clock.ms;
    const ids = s.put(Array.from({ length: 50 }, (_, i) => ({ timestamp: t + MIN, message: flowLine(i, t + MIN) })));
    aws.logs.failNext(5, { code: 'ThrottlingException', message: 'Rate exceeded' });
    const out = captureStdout();
    try {
      const stats = await s.tick();
      expect(stats?.end).toBe('caught-up');
      expect(metricSum(out.lines(), METRICS.throttles, s.group)).toBe(5);
      // Six throttles in a row exhaust the reader's attempts for this run.
      aws.logs.failNext(6, { code: 'ThrottlingException', message: 'Rate exceeded' });
      const stormy = await s.tick();
      expect(stormy).toMatchObject({ end: 'poll-error', error: { kind: 'throttled' }, throttles: 6 });
      expect(metricSum(out.lines(), METRICS.throttles, s.group)).toBe(11);
    } finally {
      out.restore();
    }
    await s.tick();
    expect(sorted(s.alerts().map((a) => a.alert_id))).toEqual(sorted(ids));
  });

  it.each([
    ['a missing log group', 'not-found', (group: string) => group.replace('flowlogs', 'missing')],
    ['access denied', 'access-denied', (group: string) => group],
  ])('on %s: logs the cause and fix, counts a poll error, does not advance the checkpoint, returns normally', async (_name, kind, groupOf) => {
    counter++;
    const group = `/aws/vpc/flowlogs-${counter}`;
    aws.logs.createLogGroup(group);
    const target = groupOf(group);
    if (kind === 'access-denied') aws.logs.denyAccess(target);
    const queueUrl = await aws.sqs.createQueue(`alerts-${counter}`);
    await aws.dynamo.createCheckpointTable(`checkpoints-${counter}`);
    const poller = makePoller(aws, pollerEnv(queueUrl, `checkpoints-${counter}`, {}, target));
    const out = captureStdout();
    let summary;
    try {
      summary = await poller.invoke();
    } finally {
      out.restore();
    }
    expect(summary.groups[0]).toMatchObject({ end: 'poll-error', error: { kind } });
    const error = out.lines().find((l) => l['level'] === 'ERROR');
    expect(error).toMatchObject({ message: 'poll failed; checkpoint unchanged, the next run retries', cause: kind, logGroup: target });
    expect(String(error?.['detail'])).toMatch(kind === 'not-found' ? /check the LOG_GROUPS setting/ : /needs logs:FilterLogEvents/);
    expect(metricSum(out.lines(), METRICS.pollErrors, target)).toBe(1);
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const item = await aws.dynamo.client.send(new GetItemCommand({ TableName: `checkpoints-${counter}`, Key: { pk: { S: `checkpoint|${target}` } } }));
    // Only the starting point a new group records before reading: its first window is still to do.
    expect(item.Item).toMatchObject({ revision: { N: '1' }, pendingStart: { N: String(aws.clock.ms - 16 * MIN) }, pendingEnd: { N: String(aws.clock.ms) } });
  });

  it('lets only one of two overlapping invocations read a group: the other skips it, and nothing is sent twice', async () => {
    const s = await scenario();
    await s.tick();
    const t = aws.clock.ms;
    const ids = s.put(Array.from({ length: 4000 }, (_, i) => ({ timestamp: t + MIN, message: flowLine(i, t + MIN) })));
    aws.clock.ms += 5 * MIN;
    const [a, b] = await Promise.all([s.poller.invoke(240_000, 'run-a'), s.poller.invoke(240_000, 'run-b')]);
    expect([a.groups[0]?.end, b.groups[0]?.end].sort()).toEqual(['caught-up', 'leased']);
    await s.tick();
    s.received.push(...(await aws.sqs.drain(s.queueUrl)));
    const alertIds = s.alerts().map((x) => x.alert_id);
    expect(alertIds).toHaveLength(4000);
    expect(sorted(alertIds)).toEqual(sorted(ids));
  });

  it('takes over the lease of a run that died, once it has expired', async () => {
    const s = await scenario();
    await s.tick();
    const t = aws.clock.ms;
    const ids = s.put([1, 2].map((i) => ({ timestamp: t + MIN, message: flowLine(i, t + MIN) })));
    // A run that crashed after taking its lease never released it; the lease lasts its invocation.
    const store = new DynamoDbCheckpointStore(aws.dynamo.client, s.table, () => aws.clock.ms);
    expect(await store.acquireLease(s.group, 'crashed-run', aws.clock.ms + 7 * MIN, aws.clock.ms)).toBe(true);
    expect((await s.tick())?.end).toBe('leased');
    expect(s.alerts()).toHaveLength(0);
    expect((await s.tick())?.end).toBe('caught-up');
    expect(sorted(s.alerts().map((x) => x.alert_id))).toEqual(sorted(ids));
  });

  it('passes malformed records through unparsed and cuts oversize ones to fit, dropping none', async () => {
    const s = await scenario({ [ENV.maxMessageBytes]: '8192' });
    await s.tick();
    const t = aws.clock.ms;
    const huge = `REJECT ${'x'.repeat(20_000)}`;
    const ids = s.put([
      { timestamp: t + MIN, message: 'REJECT this is not a flow record' },
      { timestamp: t + MIN, message: '2 123 eni-1 10.0.0.1 10.0.0.2 99999 22 6 1 40 1 2 REJECT OK' },
      { timestamp: t + MIN, message: huge },
      { timestamp: t + MIN, message: flowLine(7, t + MIN) },
    ]);
    await s.tick();
    const alerts = s.alerts();
    expect(sorted(alerts.map((a) => a.alert_id))).toEqual(sorted(ids));
    expect(alerts.filter((a) => a.raw_event.record_format === 'unparsed')).toHaveLength(3);
    const cut = alerts.find((a) => a.raw_event.truncated === true);
    expect(cut?.raw_event.message.endsWith('…[truncated]')).toBe(true);
    expect(s.received.every((m) => Buffer.byteLength(m.Body ?? '') <= 8192)).toBe(true);
    expect(s.received[0]?.MessageAttributes).toMatchObject({ source: { StringValue: 'aws_vpc_flow' } });
  });

  it('after a multi-day outage, reports what is older than the catch-up limit with a replay command that sends it, and delivers the rest', async () => {
    const s = await scenario({ [ENV.maxCatchUpHours]: '24' });
    await s.tick();
    const t = aws.clock.ms;
    const lost = s.put([{ timestamp: t + MIN, message: flowLine(1, t + MIN) }]);
    aws.clock.ms += 3 * 24 * 60 * MIN;
    const kept = s.put(Array.from({ length: 5 }, (_, i) => ({ timestamp: aws.clock.ms - (20 - i) * 60 * MIN, message: flowLine(i, aws.clock.ms - 20 * 60 * MIN) })));
    const out = captureStdout();
    let gapLog: Record<string, unknown> | undefined;
    try {
      await s.tick();
      expect(metricSum(out.lines(), METRICS.catchUpGaps, s.group)).toBe(1);
      gapLog = out.lines().find((l) => String(l['message']).startsWith('records older than MAX_CATCH_UP_HOURS were not read'));
    } finally {
      out.restore();
    }
    const ids = s.alerts().map((a) => a.alert_id);
    expect(sorted(ids)).toEqual(sorted(kept));
    expect(ids).not.toContain(lost[0]);
    // The command in the ERROR log, run as a user would, sends what the poller skipped.
    const command = String(gapLog?.['replay']);
    expect(command).toMatch(/^npm run --silent replay -- --log-group '\/aws\/vpc\/flowlogs-\d+' --start \S+ --end \S+ --queue-url \S+ --quarantine-queue-url \S+$/);
    const replayed = await runChild('bash', ['-c', command], { env: localAwsEnv(aws), cwd: join(__dirname, '..', '..') });
    expect(replayed.status).toBe(0);
    s.received.push(...(await aws.sqs.drain(s.queueUrl)));
    expect(s.alerts().map((a) => a.alert_id)).toContain(lost[0]);
  });

  it('sends to a FIFO queue with the ENI as message group and alert_id as deduplication id', async () => {
    counter++;
    const group = `/aws/vpc/flowlogs-${counter}`;
    aws.logs.createLogGroup(group);
    const queueUrl = await aws.sqs.createQueue(`alerts-${counter}.fifo`);
    await aws.dynamo.createCheckpointTable(`checkpoints-${counter}`);
    const poller = makePoller(aws, pollerEnv(queueUrl, `checkpoints-${counter}`, {}, group));
    const t = aws.clock.ms;
    const ids = aws.logs.putEvents(group, [1, 2, 3].map((i) => ({ timestamp: t + MIN, message: flowLine(i, t + MIN) })));
    aws.clock.ms += 5 * MIN;
    const out = captureStdout();
    try {
      await poller.invoke();
    } finally {
      out.restore();
    }
    const { DeleteMessageCommand, ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
    const Messages: Array<{ Attributes?: Record<string, string> }> = [];
    // A FIFO group hands out its next message once the one before is deleted.
    for (let i = 0; i < 10; i++) {
      const received = await aws.sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'] }),
      );
      if ((received.Messages ?? []).length === 0) break;
      for (const m of received.Messages ?? []) {
        Messages.push(m);
        await aws.sqs.client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    expect(Messages.map((m) => m.Attributes?.['MessageDeduplicationId']).sort()).toEqual([...ids].sort());
    expect(new Set(Messages.map((m) => m.Attributes?.['MessageGroupId']))).toEqual(new Set(['eni-0a1b2c3d4e5f6a7b8']));
  });

  it('writes no raw flow record into INFO logs', async () => {
    const s = await scenario();
    await s.tick();
    const t = aws.clock.ms;
    s.put([{ timestamp: t + MIN, message: flowLine(42, t + MIN) }]);
    const out = captureStdout();
    try {
      await s.tick();
    } finally {
      out.restore();
    }
    const info = out.lines().filter((l) => l['level'] === 'INFO');
    expect(info.length).toBeGreaterThan(0);
    expect(JSON.stringify(info)).not.toContain('198.51.100.42');
  });
});
