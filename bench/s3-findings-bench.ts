/**
 * Findings in s3 mode: what the finding state costs per object. A generated day (the findings
 * bench's: 20 interfaces, 120 background probes an interface an hour, 2 internet sweepers an hour,
 * planted attacks) is cut into flow-log files, one per interface every 5 minutes (more files than a
 * flow log writes: its files each hold many interfaces, so this overstates the saves), and
 * run through the S3 source's own finding path: FindingTracker per object on the shard of its key,
 * saved after each object, and the push/s3 closer every 5 minutes, over an in-memory store that
 * encodes as DynamoDB's does. Reports saves, item sizes, write units and findings. `npm run bench`.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { closeShardedWindows } from '../lambda/app/close-findings';
import { FindingTracker, PUSH_SHARDS, pushTiming, shardOf } from '../lambda/app/finding-tracker';
import type { AlertPublisher, FindingStateStore, StoredFindingState } from '../lambda/app/ports';
import type { FindingSettings } from '../lambda/core/finding';
import { decodeState, encodeState } from '../lambda/core/finding-codec';
import type { DetectorState } from '../lambda/core/finding-state';
import { cidrs } from '../lambda/core/ip-address';
import { compileFormat } from '../lambda/core/log-format';
import { messageToAlert } from '../lambda/core/normalize';
import type { Alert } from '../lambda/core/alert';
import { ALLOWLISTED_RANGE, backgroundTraffic, plantedAttacks } from '../local/flow-traffic';

const MIN = 60_000;
const HOUR = 60 * MIN;
const START = Date.UTC(2026, 10, 25, 0, 0, 0);
const GROUP = 's3://central-log-archive/AWSLogs/';
const SETTINGS: FindingSettings = { alertMode: 'findings', scanPortThreshold: 10, sweepHostThreshold: 10, windowMs: HOUR, allowlist: cidrs(ALLOWLISTED_RANGE) };
const LOOKBACK_MS = 15 * MIN;
/** DynamoDB on-demand, us-east-1: dollars per million write request units (1 KB each). */
const DOLLARS_PER_MILLION_WRU = 1.25;

/** The state as DynamoDbFindingStore keeps it (gzip JSON, conditional on a revision), in memory. */
class MemoryFindingStore implements FindingStateStore {
  public readonly savedBytes: number[] = [];
  private readonly items = new Map<string, { revision: number; data: Buffer }>();
  private readonly listed = new Set<string>();
  public async load(group: string, shard: number): Promise<StoredFindingState | undefined> {
    const item = this.items.get(`${shard}|${group}`);
    return item === undefined ? undefined : { revision: item.revision, state: decodeState(gunzipSync(item.data).toString('utf8')) };
  }
  public async save(group: string, shard: number, expected: number | undefined, state: DetectorState): Promise<boolean> {
    const key = `${shard}|${group}`;
    if (this.items.get(key)?.revision !== expected) return false;
    const data = gzipSync(encodeState(state));
    this.items.set(key, { revision: (expected ?? 0) + 1, data });
    this.savedBytes.push(data.length);
    this.listed.add(group);
    return true;
  }
  public async groups(): Promise<readonly string[]> {
    return [...this.listed];
  }
  public async remember(group: string): Promise<void> {
    this.listed.add(group);
  }
  public async forget(group: string): Promise<void> {
    this.listed.delete(group);
  }
}

async function main(): Promise<void> {
  const background = backgroundTraffic({ startMs: START, hours: 24, interfaces: 20, probesPerInterfaceHour: 120, sweepersPerHour: 2 });
  const planted = [3, 11, 19].flatMap((h) => plantedAttacks(START + h * HOUR + 10 * MIN).events);
  // One file per interface and 5-minute period, named with the period's end (as a flow log names it).
  const files = new Map<string, { time: number; messages: string[] }>();
  for (const e of [...background, ...planted]) {
    const end = Math.floor(e.timestamp / (5 * MIN)) * 5 * MIN + 5 * MIN;
    const eni = e.message.split(' ')[2] as string;
    const stamp = new Date(end).toISOString().slice(0, 16).replace(/[-:]/g, '');
    const key = `AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/25/123456789012_vpcflowlogs_us-east-1_fl-${eni}_${stamp}Z_h.log.gz`;
    const file = files.get(key) ?? { time: end, messages: [] };
    file.messages.push(e.message);
    files.set(key, file);
  }
  const ordered = [...files].sort((a, b) => a[1].time - b[1].time);
  const store = new MemoryFindingStore();
  const findingsSent: string[] = [];
  const publisher: AlertPublisher = {
    publish: async (messages) => {
      findingsSent.push(...messages.map((m) => m.body));
      return { sent: messages.map((m) => m.id), failed: [] };
    },
  };
  const format = compileFormat();
  let records = 0;
  let sentAlone = 0;
  let nextClose = START + 5 * MIN;
  const started = process.hrtime.bigint();
  for (const [key, file] of ordered) {
    // Read two minutes after the period ends (the upload), as the notification would trigger it.
    const now = file.time + 2 * MIN;
    while (nextClose <= now) {
      await closeShardedWindows(store, GROUP, PUSH_SHARDS, pushTiming(LOOKBACK_MS, nextClose).closeUpTo, SETTINGS, { publisher });
      nextClose += 5 * MIN;
    }
    const tracker = await FindingTracker.open(store, GROUP, shardOf(key), SETTINGS);
    const admit = tracker.admitter(pushTiming(LOOKBACK_MS, now).openAfter);
    file.messages.forEach((message, line) => {
      const alert = messageToAlert(message, format, { eventId: `s3:b/${key}#${line + 2}`, timestamp: file.time }) as Alert;
      records++;
      if (admit(alert, { eventId: alert.alert_id, timestamp: file.time, message })) sentAlone++;
    });
    await tracker.save();
  }
  await closeShardedWindows(store, GROUP, PUSH_SHARDS, Number.MAX_SAFE_INTEGER, SETTINGS, { publisher });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const sizes = [...store.savedBytes].sort((a, b) => a - b);
  const at = (q: number): number => sizes[Math.min(sizes.length - 1, Math.floor(q * sizes.length))] ?? 0;
  const wru = sizes.reduce((sum, bytes) => sum + Math.ceil(bytes / 1024), 0);
  const kib = (bytes: number): string => (bytes / 1024).toFixed(1);
  const byType = new Map<string, number>();
  for (const body of findingsSent) {
    const type = (JSON.parse(body) as { finding_type: string }).finding_type;
    byType.set(type, (byType.get(type) ?? 0) + 1);
  }
  process.stdout.write(`s3 findings: the findings bench's day as ${ordered.length.toLocaleString('en-US')} flow-log files (one an interface each 5 minutes), ${records.toLocaleString('en-US')} records, 16 state shards\n`);
  process.stdout.write(`  ${findingsSent.length} findings (${[...byType].map(([t, n]) => `${n} ${t}`).join(', ')}) and ${sentAlone} flows on their own, instead of ${records.toLocaleString('en-US')} flow alerts\n`);
  process.stdout.write(`  ${sizes.length.toLocaleString('en-US')} state saves (one a file, plus the closer's): item ${kib(at(0.5))} KiB median, ${kib(at(0.99))} KiB p99, ${kib(sizes[sizes.length - 1] ?? 0)} KiB largest\n`);
  process.stdout.write(`  ${wru.toLocaleString('en-US')} write units for the day: $${((wru / 1e6) * DOLLARS_PER_MILLION_WRU).toFixed(3)} on demand at $${DOLLARS_PER_MILLION_WRU} a million\n`);
  process.stdout.write(`  ${Math.round(records / seconds).toLocaleString('en-US')} records/s through normalization, detectors, state encoding and closes, ${((seconds * 1000) / ordered.length).toFixed(1)} ms a file (${seconds.toFixed(2)} s; no DynamoDB round trips)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
