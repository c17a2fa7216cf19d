import type { PollDeps } from '../../lambda/app/poll-log-group';
import { pollLogGroup } from '../../lambda/app/poll-log-group';
import { LogSourceError } from '../../lambda/core/errors';
import { compileFormat } from '../../lambda/core/log-format';
import { Clock, FakeCheckpoints, FakeLogSource, FakeQueue } from '../helpers/fakes';

const MIN = 60_000;
const T0 = 1_700_000_000_000;
const GROUP = { name: '/aws/vpc/flowlogs', format: compileFormat(), filterPattern: '?REJECT ?SKIPDATA' };

const line = (i: number, at: number) =>
  `2 123456789012 eni-0a1 198.51.100.${i % 250} 10.0.0.5 ${1024 + (i % 60000)} 22 6 1 40 ${Math.floor(at / 1000)} ${Math.floor(at / 1000) + 60} REJECT OK`;

function setup(pageSize = 10_000) {
  const clock = new Clock(T0);
  const source = new FakeLogSource(clock, pageSize);
  const queue = new FakeQueue();
  const quarantine = new FakeQueue();
  const checkpoints = new FakeCheckpoints();
  const deps: PollDeps = {
    source, publisher: queue, quarantine, checkpoints, now: clock.now, outOfTime: () => false,
    runId: 'run-a', leaseUntil: () => clock.ms + 4 * MIN,
    settings: { lookbackMs: 15 * MIN, maxCatchUpMs: 24 * 60 * MIN, maxMessageBytes: 262_144 },
  };
  /** One scheduled invocation, 5 minutes after the last. */
  const tick = async (budget = 5000) => {
    clock.advance(5 * MIN);
    return pollLogGroup(GROUP, deps, budget);
  };
  return { clock, source, queue, quarantine, checkpoints, deps, tick };
}

const sortedIds = (ids: string[]) => [...ids].sort();

describe('pollLogGroup delivery', () => {
  it('delivers late records ingested within the lookback exactly once', async () => {
    const { source, queue, tick } = setup();
    await tick();
    const expected = [
      source.add(line(1, T0 + 4 * MIN), T0 + 4 * MIN, T0 + 6 * MIN).eventId, // visible at the 2nd tick
      source.add(line(2, T0 + 2 * MIN), T0 + 2 * MIN, T0 + 14 * MIN).eventId, // 12 minutes late
      source.add(line(3, T0 + 9 * MIN), T0 + 9 * MIN, T0 + 9 * MIN).eventId,
    ];
    for (let i = 0; i < 8; i++) await tick();
    expect(sortedIds(queue.alertIds())).toEqual(sortedIds(expected));
  });

  it('does not deliver a record ingested later than the lookback (the documented limit)', async () => {
    const { source, queue, tick } = setup();
    await tick();
    source.add(line(1, T0 + 2 * MIN), T0 + 2 * MIN, T0 + 40 * MIN);
    for (let i = 0; i < 12; i++) await tick();
    expect(queue.received).toHaveLength(0);
  });

  it('sends 20,000 records over several capped runs, none lost or doubled', async () => {
    const { source, queue, checkpoints, tick } = setup();
    await tick();
    const ids: string[] = [];
    for (let i = 0; i < 20_000; i++) ids.push(source.add(line(i, T0 + 5 * MIN + (i % 290_000)), T0 + 5 * MIN + (i % 290_000)).eventId);
    const ends: string[] = [];
    for (let i = 0; i < 8; i++) ends.push((await tick()).end);
    // The fourth run sends the last 5,000 and finishes the window: caught up.
    expect(ends.slice(0, 4)).toEqual(['capped', 'capped', 'capped', 'caught-up']);
    expect(queue.alertIds()).toHaveLength(20_000);
    expect(sortedIds(queue.alertIds())).toEqual(sortedIds(ids));
    expect(checkpoints.position(GROUP.name)?.pending).toBeUndefined();
  });

  it('after a crash between send and checkpoint, resends only with the same alert_id', async () => {
    const { source, queue, checkpoints, tick } = setup();
    await tick();
    const ids = [1, 2, 3].map((i) => source.add(line(i, T0 + 6 * MIN), T0 + 6 * MIN).eventId);
    checkpoints.failNextSave = true;
    expect(await tick()).toMatchObject({ end: 'poll-error', alertsSent: 3, error: { kind: 'internal', message: 'Error: simulated crash before the checkpoint write' } });
    await tick();
    await tick();
    expect(queue.received).toHaveLength(6);
    expect([...new Set(queue.alertIds())].sort()).toEqual(ids.sort());
  });

  it('retries failed sends on the next run and does not resend the ones that went through', async () => {
    const { source, queue, tick } = setup();
    await tick();
    const ids = [1, 2, 3, 4].map((i) => source.add(line(i, T0 + 6 * MIN), T0 + 6 * MIN).eventId);
    queue.failWhen = (m) => m.id === '1' || m.id === '3';
    const first = await tick();
    expect(first).toMatchObject({ end: 'send-failed', alertsSent: 2, sendFailures: 2 });
    queue.failWhen = () => false;
    await tick();
    expect(sortedIds(queue.alertIds())).toEqual(sortedIds(ids));
  });

  it('records where a new group starts before reading, so records from failed first runs are not skipped', async () => {
    const { source, queue, tick } = setup();
    const early = source.add(line(1, T0 + 2 * MIN), T0 + 2 * MIN).eventId;
    source.failNext.push(new LogSourceError('simulated throttling', 'throttled'));
    expect(await tick()).toMatchObject({ end: 'poll-error' });
    for (let i = 0; i < 5; i++) source.failNext.push(new LogSourceError('simulated throttling', 'throttled'));
    for (let i = 0; i < 5; i++) await tick();
    expect(queue.received).toHaveLength(0);
    await tick();
    await tick();
    expect(queue.alertIds()).toEqual([early]);
  });

  it.each(['not-found', 'access-denied', 'throttled'] as const)('on %s leaves the checkpoint unchanged and reports it', async (kind) => {
    const { source, checkpoints, tick } = setup();
    await tick();
    const before = checkpoints.position(GROUP.name);
    source.failNext.push(new LogSourceError(`simulated ${kind}`, kind));
    const stats = await tick();
    expect(stats).toMatchObject({ end: 'poll-error', error: { kind } });
    expect(checkpoints.position(GROUP.name)).toEqual(before);
  });

  it('stops once caught up even though the clock keeps moving during the run', async () => {
    const { source, deps, clock } = setup();
    source.add(line(1, T0 - MIN), T0 - MIN);
    let reads = 0;
    // Bounded, so a regression fails as 'out-of-time' instead of hanging.
    const moving = { ...deps, now: () => (clock.ms += 1), outOfTime: () => reads > 20 };
    const counting = { ...moving, source: { fetchPage: (r: Parameters<typeof source.fetchPage>[0]) => (reads++, source.fetchPage(r)) } };
    const stats = await pollLogGroup(GROUP, counting, 5000);
    expect(stats).toMatchObject({ end: 'caught-up', alertsSent: 1, duplicatesSkipped: 0 });
    expect(reads).toBe(1);
  });

  it('stops reading when the run is out of time, saves its place, and the next run finishes', async () => {
    const { source, queue, deps, clock, checkpoints } = setup(2);
    await pollLogGroup(GROUP, deps, 5000);
    const ids = [1, 2, 3, 4, 5].map((i) => source.add(line(i, T0 + MIN), T0 + MIN).eventId);
    clock.advance(5 * MIN);
    let pages = 0;
    const hurried = { ...deps, outOfTime: () => pages >= 1, source: { fetchPage: (r: Parameters<typeof source.fetchPage>[0]) => (pages++, source.fetchPage(r)) } };
    expect(await pollLogGroup(GROUP, hurried, 5000)).toMatchObject({ end: 'out-of-time', alertsSent: 2 });
    expect(checkpoints.position(GROUP.name)?.pending?.nextToken).toBe('2');
    expect(await pollLogGroup(GROUP, deps, 5000)).toMatchObject({ end: 'caught-up', alertsSent: 3 });
    expect(sortedIds(queue.alertIds())).toEqual(sortedIds(ids));
  });

  it('of two overlapping invocations only one advances the checkpoint', async () => {
    const { source, queue, deps, clock, tick } = setup();
    await tick();
    source.add(line(1, T0 + 6 * MIN), T0 + 6 * MIN);
    clock.advance(5 * MIN);
    const [a, b] = await Promise.all([pollLogGroup(GROUP, deps, 5000), pollLogGroup(GROUP, deps, 5000)]);
    expect([a.end, b.end].sort()).toEqual(['caught-up', 'conflict']);
    // Both may have sent before either saved: the copies share one alert_id for consumers to drop.
    expect(new Set(queue.alertIds()).size).toBe(1);
  });

  it('after a multi-day outage, reports what is older than the catch-up limit and delivers the rest', async () => {
    const { source, queue, clock, tick } = setup();
    await tick();
    const old = source.add(line(1, T0 + 6 * MIN), T0 + 6 * MIN);
    clock.advance(3 * 24 * 60 * MIN);
    const recent = source.add(line(2, clock.ms - 60 * MIN), clock.ms - 60 * MIN);
    const stats = await tick(5000);
    expect(stats.gaps).toHaveLength(1);
    expect(stats.gaps[0]?.start).toBeLessThanOrEqual(old.timestamp);
    expect(queue.alertIds()).toEqual([recent.eventId]);
    // Catch-up stops once a window ends within one lookback of now; the next run does the rest.
    expect(stats.lagSeconds).toBeLessThanOrEqual(15 * 60);
  });

  it('continues a capped window by its token, and re-reads the window when the token has expired', async () => {
    const { source, queue, tick } = setup(2);
    await tick();
    const ids = [1, 2, 3, 4, 5].map((i) => source.add(line(i, T0 + 6 * MIN), T0 + 6 * MIN).eventId);
    const stats = await tick(3);
    expect(stats.end).toBe('capped');
    source.failNext.push(new LogSourceError('token expired', 'invalid-token'));
    await tick();
    expect(sortedIds(queue.alertIds())).toEqual(sortedIds(ids));
  });
});

describe('pollLogGroup isolation: no record can stop the group', () => {
  const alertIdOf = (body: string) => (JSON.parse(body) as { alert_id: string }).alert_id;

  it('sends a record the queue refuses in minimal form, and the 50 around it and the pages after it in full', async () => {
    const { source, queue, quarantine, checkpoints, tick } = setup(20);
    await tick();
    const ids = Array.from({ length: 50 }, (_, i) => source.add(line(i, T0 + 6 * MIN), T0 + 6 * MIN).eventId);
    const poison = ids[7] as string;
    // The queue refuses the full alert of one record (as SQS refuses invalid contents), not its minimal form.
    queue.refuseWhen = (m) => alertIdOf(m.body) === poison && !m.body.includes('"refused_by_queue"');
    const first = await tick();
    expect(first).toMatchObject({ end: 'caught-up', alertsSent: 50, downgraded: 1, quarantined: 0, sendFailures: 0 });
    const later = Array.from({ length: 30 }, (_, i) => source.add(line(100 + i, T0 + 11 * MIN), T0 + 11 * MIN).eventId);
    await tick();
    expect(sortedIds(queue.alertIds())).toEqual(sortedIds([...ids, ...later]));
    const minimal = queue.received.find((m) => alertIdOf(m.body) === poison);
    expect(JSON.parse(minimal?.body ?? '{}').raw_event).toMatchObject({ truncated: true, truncation_reason: 'refused_by_queue' });
    expect(quarantine.received).toHaveLength(0);
    expect(checkpoints.position(GROUP.name)?.pending).toBeUndefined();
  });

  it('quarantines a record refused in both forms, moves the checkpoint on, and never reads it again', async () => {
    const { source, queue, quarantine, checkpoints, tick } = setup(20);
    await tick();
    const ids = Array.from({ length: 50 }, (_, i) => source.add(line(i, T0 + 6 * MIN), T0 + 6 * MIN).eventId);
    const poison = ids[33] as string;
    queue.refuseWhen = (m) => alertIdOf(m.body) === poison;
    expect(await tick()).toMatchObject({ end: 'caught-up', alertsSent: 49, quarantined: 1, sendFailures: 0 });
    for (let i = 0; i < 4; i++) await tick();
    expect(sortedIds(queue.alertIds())).toEqual(sortedIds(ids.filter((id) => id !== poison)));
    expect(quarantine.received).toHaveLength(1);
    const kept = JSON.parse(quarantine.received[0]?.body ?? '{}');
    expect(kept).toMatchObject({ kind: 'vpc-flow-alerts/quarantined', alert_id: poison, log_group: GROUP.name, event_id: poison, message_truncated: false });
    expect(kept.reason).toMatch(/InvalidMessageContents; minimal form: InvalidMessageContents/);
    expect(Buffer.from(kept.message_base64, 'base64').toString()).toBe(line(33, T0 + 6 * MIN));
    expect(checkpoints.position(GROUP.name)?.pending).toBeUndefined();
  });

  it('keeps the checkpoint before a page whose quarantine fails too, and resends only that record next run', async () => {
    const { source, queue, quarantine, checkpoints, tick } = setup(20);
    await tick();
    const ids = Array.from({ length: 50 }, (_, i) => source.add(line(i, T0 + 6 * MIN), T0 + 6 * MIN).eventId);
    const poison = ids[3] as string;
    queue.refuseWhen = (m) => alertIdOf(m.body) === poison;
    quarantine.failWhen = () => true;
    expect(await tick()).toMatchObject({ end: 'send-failed', sendFailures: 1 });
    expect(checkpoints.position(GROUP.name)?.pending).toBeDefined();
    quarantine.failWhen = () => false;
    await tick();
    expect(quarantine.received).toHaveLength(1);
    expect(sortedIds(queue.alertIds())).toEqual(sortedIds(ids.filter((id) => id !== poison)));
  });

  it('counts the throttles of every page and of a failed read', async () => {
    const { source, tick } = setup();
    await tick();
    source.add(line(1, T0 + 6 * MIN), T0 + 6 * MIN);
    const fetch = source.fetchPage.bind(source);
    let calls = 0;
    source.fetchPage = async (request) => {
      calls++;
      if (calls === 1) throw new LogSourceError('still throttled', 'throttled', { throttles: 6 });
      return { ...(await fetch(request)), throttles: 2 };
    };
    expect(await tick()).toMatchObject({ end: 'poll-error', throttles: 6 });
    expect(await tick()).toMatchObject({ end: 'caught-up', throttles: 2, alertsSent: 1 });
  });
});

describe('pollLogGroup single flight', () => {
  it('skips a group whose lease another live run holds, and takes it once that lease has expired', async () => {
    const { source, queue, checkpoints, tick, clock } = setup();
    await tick();
    const id = source.add(line(1, T0 + 6 * MIN), T0 + 6 * MIN).eventId;
    await checkpoints.acquireLease(GROUP.name, 'other-run', clock.ms + 7 * MIN, clock.ms);
    expect(await tick()).toMatchObject({ end: 'leased', recordsRead: 0 });
    expect(queue.received).toHaveLength(0);
    expect(await tick()).toMatchObject({ end: 'caught-up', alertsSent: 1 });
    expect(queue.alertIds()).toEqual([id]);
    expect(checkpoints.leaseOf(GROUP.name)).toBeUndefined();
  });
});
