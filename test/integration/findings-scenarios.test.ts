/**
 * Findings through the real poller, real SDK clients and local endpoints: planted attacks mixed
 * into hours of background internet scanning, an allowlisted scanner, a scan split across runs and
 * across a window boundary, and a crash between saves. Asserts exactly what reached the queue.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { FindingAlert } from '../../lambda/core/finding';
import { ENV } from '../../lambda/settings/settings-table';
import type { LocalAws } from '../../local/local-aws';
import { makePoller, MIN, pollerEnv, startLocalAws } from '../../local/local-aws';
import type { TrafficEvent } from '../../local/flow-traffic';
import { ALLOWLISTED_RANGE, backgroundTraffic, interfaceOf, plantedAttacks, v2Record } from '../../local/flow-traffic';
import { expectValidAlert } from '../helpers/alert-schema';
import { expectValidOcsf, OCSF_SCHEMA_DIR } from '../helpers/ocsf-validator';

jest.setTimeout(180_000);

const HOUR = 60 * MIN;
let aws: LocalAws;
let counter = 0;

beforeAll(async () => {
  aws = await startLocalAws({ pageSize: 5000 });
});
afterAll(async () => aws.stop());

type Body = FindingAlert | { category: 'network'; alert_id: string; severity: string; src_ip: string | null };

async function scenario(extraEnv: Record<string, string> = {}) {
  counter++;
  const group = `/aws/vpc/findings-${counter}`;
  const table = `findings-${counter}`;
  aws.logs.createLogGroup(group);
  const queueUrl = await aws.sqs.createQueue(`findings-${counter}`);
  await aws.dynamo.createCheckpointTable(table);
  const env = pollerEnv(queueUrl, table, { [ENV.alertMode]: 'findings', [ENV.maxEventsPerRun]: '50000', ...extraEnv }, group);
  const poller = makePoller(aws, env);
  const received: Message[] = [];
  const tick = async () => {
    aws.clock.ms += 5 * MIN;
    const summary = await poller.invoke();
    received.push(...(await aws.sqs.drain(queueUrl)));
    return summary.groups[0];
  };
  const bodies = (): Body[] => received.map((m) => JSON.parse(m.Body ?? '') as Body);
  const findings = (): FindingAlert[] => bodies().filter((b): b is FindingAlert => b.category === 'finding');
  /** Records ingested two minutes after their timestamps. */
  const put = (events: readonly TrafficEvent[]) => aws.logs.putEvents(group, events.map((e) => ({ ...e, ingestionTime: e.timestamp + 2 * MIN })));
  return { poller, tick, bodies, findings, put, queueUrl, table, group, received };
}

/** A 12-port scan from `src` at the next hour, held (not yet sent) by a findings-mode run; resolves to that hour. */
async function heldScan(s: Awaited<ReturnType<typeof scenario>>, src: string): Promise<number> {
  await s.tick();
  const start = Math.ceil(aws.clock.ms / HOUR) * HOUR;
  while (aws.clock.ms < start) await s.tick();
  const target = interfaceOf(5);
  s.put(Array.from({ length: 12 }, (_, i) => ({ timestamp: aws.clock.ms + i * 1000, message: v2Record({ eni: target.eni, src, dst: target.ip, srcPort: 1, dstPort: 500 + i, startS: Math.floor((aws.clock.ms + i * 1000) / 1000) }) })));
  await s.tick();
  await s.tick();
  expect(s.bodies()).toEqual([]);
  return start;
}

describe('findings through the poller', () => {
  it('finds every planted attack in a day of background scanning, sends a tenth of the messages, and nothing twice', async () => {
    const s = await scenario({ [ENV.allowlistCidrs]: ALLOWLISTED_RANGE });
    await s.tick();
    const start = Math.ceil(aws.clock.ms / HOUR) * HOUR;
    const background = backgroundTraffic({ startMs: start, hours: 24, interfaces: 10, probesPerInterfaceHour: 30, sweepersPerHour: 1 });
    const planted = plantedAttacks(start + 14 * HOUR + 10 * MIN, 10);
    s.put([...background, ...planted.events]);
    let late = 0;
    while (aws.clock.ms < start + 26 * HOUR) late += (await s.tick())?.admissions.late ?? 0;
    const findings = s.findings();
    for (const f of findings) expectValidAlert(f);
    for (const attack of planted.attacks) {
      const found = findings.filter((f) => f.src_ip === attack.src && f.finding_type !== 'inbound_summary');
      if (attack.expect === null) expect(found).toEqual([]);
      else expect(found.filter((f) => f.finding_type === attack.expect?.type && (attack.expect.dst === undefined || f.dst_ip === attack.expect.dst))).toHaveLength(1);
    }
    expect(findings.some((f) => f.top_sources.some((t) => t.ip === '192.0.2.10'))).toBe(false);
    // Seed profile: no flow is high, so only findings are sent (and nothing was late).
    expect(late).toBe(0);
    expect(s.bodies().filter((b) => b.category !== 'finding')).toEqual([]);
    const ids = findings.map((f) => f.alert_id);
    expect(new Set(ids).size).toBe(ids.length);
    const flows = background.length + planted.events.length;
    expect(findings.length * 10).toBeLessThan(flows);
    // Every rejected flow outside the allowlist is in a finding: the summaries and the attack findings add up.
    const summarised = findings.filter((f) => f.finding_type === 'inbound_summary').reduce((n, f) => n + f.flow_count, 0);
    expect(summarised).toBeGreaterThan(background.length * 0.8);
  });

  it('a scan split across two runs and a window boundary gives one port_scan per window, each once', async () => {
    const s = await scenario();
    await s.tick();
    const boundary = Math.ceil((aws.clock.ms + 20 * MIN) / HOUR) * HOUR;
    const target = interfaceOf(3);
    const probe = (port: number, at: number): TrafficEvent => ({ timestamp: Math.floor(at / 1000) * 1000, message: v2Record({ eni: target.eni, src: '198.51.100.99', dst: target.ip, srcPort: 40_000 + port, dstPort: port, startS: Math.floor(at / 1000) }) });
    // 12 ports in the last minutes of one window, read by one run; 14 in the next window, read by later ones.
    s.put(Array.from({ length: 12 }, (_, i) => probe(100 + i, boundary - 6 * MIN + i * 10_000)));
    while (aws.clock.ms < boundary) await s.tick();
    s.put(Array.from({ length: 14 }, (_, i) => probe(200 + i, boundary + MIN + i * 10_000)));
    while (aws.clock.ms < boundary + 2 * HOUR) await s.tick();
    const scans = s.findings().filter((f) => f.finding_type === 'port_scan');
    expect(scans.map((f) => [f.window_start, f.distinct_ports, f.flow_count])).toEqual([
      [new Date(boundary - HOUR).toISOString(), 12, 12],
      [new Date(boundary).toISOString(), 14, 14],
    ]);
    expect(s.bodies()).toHaveLength(2);
  });

  it('after a crash between the state save and the checkpoint, the re-read page counts each flow once', async () => {
    const s = await scenario();
    await s.tick();
    const start = Math.ceil(aws.clock.ms / HOUR) * HOUR;
    while (aws.clock.ms < start) await s.tick();
    const target = interfaceOf(4);
    const at = (i: number) => aws.clock.ms + i * 1000;
    s.put(Array.from({ length: 15 }, (_, i) => ({ timestamp: at(i), message: v2Record({ eni: target.eni, src: '198.51.100.7', dst: target.ip, srcPort: 1, dstPort: 1000 + i, startS: Math.floor(at(i) / 1000) }) })));
    // The run that reads them saves the finding state, then fails to write its checkpoint.
    s.poller.failNextCheckpointWrite = true;
    const crashed = await s.tick();
    expect(crashed).toMatchObject({ end: 'poll-error', recordsRead: 15, admissions: { held: 15 } });
    while (aws.clock.ms < start + 2 * HOUR) await s.tick();
    const scans = s.findings().filter((f) => f.finding_type === 'port_scan');
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ flow_count: 15, distinct_ports: 15, counts_exact: true });
    expect(s.bodies()).toHaveLength(1);
  });
});

describe('switching alertMode back to flows', () => {
  it('still sends the findings of the windows a findings-mode run left open', async () => {
    const s = await scenario();
    const start = await heldScan(s, '198.51.100.8');
    // The same group, table and queue, now in flows mode.
    const flows = makePoller(aws, pollerEnv(s.queueUrl, s.table, { [ENV.alertMode]: 'flows' }, s.group));
    while (aws.clock.ms < start + 2 * HOUR) {
      aws.clock.ms += 5 * MIN;
      await flows.invoke();
    }
    const received = (await aws.sqs.drain(s.queueUrl)).map((m) => JSON.parse(m.Body ?? '') as FindingAlert);
    expect(received.map((f) => [f.finding_type, f.src_ip, f.flow_count])).toEqual([['port_scan', '198.51.100.8', 12]]);
  });

  it('still sends the findings of a log group removed from the stack, under its name', async () => {
    const s = await scenario();
    const start = await heldScan(s, '198.51.100.9');
    // Redeployed to poll another group only: the same table and queue.
    const other = `${s.group}-replacement`;
    aws.logs.createLogGroup(other);
    const moved = makePoller(aws, pollerEnv(s.queueUrl, s.table, { [ENV.alertMode]: 'findings' }, other));
    while (aws.clock.ms < start + 2 * HOUR) {
      aws.clock.ms += 5 * MIN;
      await moved.invoke();
    }
    const received = (await aws.sqs.drain(s.queueUrl)).map((m) => JSON.parse(m.Body ?? '') as FindingAlert);
    expect(received.map((f) => [f.finding_type, f.src_ip, f.flow_count, f.log_group])).toEqual([['port_scan', '198.51.100.9', 12, s.group]]);
  });
});

describe('outputFormat ocsf', () => {
  it('sends OCSF Detection Findings and Network Activity events, each with its schema attribute', async () => {
    const s = await scenario({ [ENV.outputFormat]: 'ocsf', [ENV.alertMode]: 'both' });
    await s.tick();
    const start = Math.ceil(aws.clock.ms / HOUR) * HOUR;
    while (aws.clock.ms < start) await s.tick();
    const planted = plantedAttacks(aws.clock.ms + MIN, 20);
    s.put(planted.events);
    while (aws.clock.ms < start + 2 * HOUR) await s.tick();
    const events = s.received.map((m) => ({ body: JSON.parse(m.Body ?? '') as Record<string, unknown>, schema: m.MessageAttributes?.['schema']?.StringValue }));
    expect(events.every((e) => e.schema === 'ocsf/1.1.0')).toBe(true);
    for (const { body } of events) if (OCSF_SCHEMA_DIR !== undefined) expectValidOcsf(body);
    expect(events.filter((e) => e.body['class_uid'] === 4001)).toHaveLength(planted.events.length);
    const findings = events.filter((e) => e.body['class_uid'] === 2004).map((e) => (e.body['finding_info'] as { types: string[] }).types[0]);
    expect(findings.sort()).toEqual(['egress_blocked', 'host_sweep', 'lateral_blocked', 'port_scan', 'port_scan']);
  });
});
