import { gzipSync } from 'node:zlib';
import type { ObjectStore } from '../../lambda/app/ports';
import { replayObjects } from '../../lambda/app/replay-objects';
import { DEFAULT_FINDING_SETTINGS } from '../../lambda/core/finding';
import { FakeQueue } from '../helpers/fakes';

const BUCKET = 'archive';
const REGION_PREFIX = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/';
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

/** Objects in memory; every one written (LastModified) at `copiedAt`, as after a copy of an archive. */
function archive(files: ReadonlyMap<string, string[]>, copiedAt: number): ObjectStore {
  const bodies = new Map([...files].map(([key, lines]) => [key, gzipSync(`${HEADER}\n${lines.join('\n')}\n`)]));
  return {
    head: async (_bucket, key) => ({ size: bodies.get(key)?.length ?? 0, lastModified: copiedAt }),
    stream: async (_bucket, key) => (async function* () {
      yield new Uint8Array(bodies.get(key) ?? Buffer.alloc(0));
    })(),
    range: async () => new Uint8Array(0),
    list: async (_bucket, prefix) => ({ keys: [...bodies.keys()].filter((k) => k.startsWith(prefix)).sort() }),
  };
}

/** Six rejected probes of one destination, on ports `from`..`from + 5`, at `startS`. */
function probes(from: number, startS: number): string[] {
  return Array.from({ length: 6 }, (_, i) => `2 123456789012 eni-0a1b2c3d4e5f60718 198.51.100.7 10.0.0.5 40000 ${from + i} 6 1 40 ${startS} ${startS + 30} REJECT OK`);
}

describe('replayObjects with findings', () => {
  it('counts each file in the window of the time in its name, not of a later copy, and reports only findings still unsent at the end', async () => {
    const morning = Date.UTC(2026, 10, 24, 10, 5);
    const afternoon = Date.UTC(2026, 10, 24, 14, 5);
    const name = (ms: number) => `${REGION_PREFIX}2026/11/24/123456789012_vpcflowlogs_us-east-1_fl-1_20261124T${new Date(ms).toISOString().slice(11, 16).replace(':', '')}Z_h.log.gz`;
    // Six ports each: one window of both (their copy time) would make a 12-port scan.
    const store = archive(new Map([[name(morning), probes(1000, morning / 1000)], [name(afternoon), probes(2000, afternoon / 1000)]]), Date.UTC(2026, 10, 26, 9, 0));
    const queue = new FakeQueue();
    let failedOnce = false;
    // The first finding fails once: the window stays open and a later close sends it.
    queue.failWhen = (m) => !failedOnce && m.body.includes('"category":"finding"') && (failedOnce = true);
    const progress = await replayObjects(BUCKET, REGION_PREFIX, { start: Date.UTC(2026, 10, 24), end: Date.UTC(2026, 10, 24, 23, 59) }, {
      store, publisher: queue, maxMessageBytes: 262_144, findings: { ...DEFAULT_FINDING_SETTINGS, alertMode: 'findings' },
    });
    expect(failedOnce).toBe(true);
    expect(progress).toMatchObject({ objects: 2, records: 12, held: 12, failed: 0, failureReasons: [] });
    const findings = queue.received.map((m) => JSON.parse(m.body) as { finding_type: string; window_start: string; flow_count: number });
    expect(findings.map((f) => [f.finding_type, f.window_start, f.flow_count])).toEqual([
      ['inbound_summary', '2026-11-24T10:00:00.000Z', 6],
      ['inbound_summary', '2026-11-24T14:00:00.000Z', 6],
    ]);
  });

  it('lets no key without a time in its name move the windows on: two files of one window make one scan', async () => {
    const first = Date.UTC(2026, 10, 24, 10, 5);
    const day = `${REGION_PREFIX}2026/11/24/`;
    const store = archive(new Map([
      [`${day}123456789012_vpcflowlogs_us-east-1_fl-1_20261124T1005Z_h.log.gz`, probes(1000, first / 1000)],
      [`${day}123456789012_vpcflowlogs_us-east-1_fl-1_20261124T1010Z_h.log.gz`, probes(2000, first / 1000 + 300)],
      // Copied in by hand: no time in its name, and a LastModified two days on.
      [`${day}exported-by-hand.log.gz`, probes(3000, first / 1000).slice(0, 1)],
    ]), Date.UTC(2026, 10, 26, 9, 0));
    const queue = new FakeQueue();
    const progress = await replayObjects(BUCKET, REGION_PREFIX, { start: Date.UTC(2026, 10, 24), end: Date.UTC(2026, 10, 24, 23, 59) }, {
      store, publisher: queue, maxMessageBytes: 262_144, findings: { ...DEFAULT_FINDING_SETTINGS, alertMode: 'findings' },
    });
    expect(progress).toMatchObject({ objects: 3, records: 13, alertsSent: 0, failed: 0 });
    const scans = queue.received.map((m) => JSON.parse(m.body) as { finding_type: string; flow_count: number }).filter((f) => f.finding_type === 'port_scan');
    expect(scans).toEqual([expect.objectContaining({ flow_count: 12 })]);
  });

  it('reports findings that could not be sent by the end as failed', async () => {
    const at = Date.UTC(2026, 10, 24, 10, 5);
    const store = archive(new Map([[`${REGION_PREFIX}2026/11/24/123456789012_vpcflowlogs_us-east-1_fl-1_20261124T1005Z_h.log.gz`, probes(1000, at / 1000)]]), at + 120_000);
    const queue = new FakeQueue();
    queue.failWhen = (m) => m.body.includes('"category":"finding"');
    const progress = await replayObjects(BUCKET, REGION_PREFIX, { start: Date.UTC(2026, 10, 24), end: Date.UTC(2026, 10, 24, 23, 59) }, {
      store, publisher: queue, maxMessageBytes: 262_144, findings: { ...DEFAULT_FINDING_SETTINGS, alertMode: 'findings' },
    });
    expect(progress).toMatchObject({ failed: 1, failureReasons: ['1 findings could not be sent'] });
  });
});
