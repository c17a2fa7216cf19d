/**
 * Writes samples/flow-events.jsonl, the demo's bundled flow logs: a fixed, seeded set of events
 * for two log groups over 30 minutes, each with the delay after which CloudWatch Logs ingests it.
 * `npx tsx scripts/make-samples.ts` regenerates the same file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** 2026-11-25T12:00:00Z: the demo's clock starts here. */
export const SAMPLE_BASE_SECONDS = 1_795_608_000;
export const DEFAULT_GROUP = '/aws/vpc/flowlogs';
export const CUSTOM_GROUP = '/aws/vpc/flowlogs-app';
/** The custom group's LogFormat (version 5 fields, TCP flags, direction). */
export const CUSTOM_FORMAT =
  '${version} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${tcp-flags} ${flow-direction} ${log-status}';

/** One bundled event: where it goes, when it happened and was ingested, and the record. */
export interface SampleEvent {
  logGroup: string;
  /** Event timestamp, epoch seconds. */
  timestamp: number;
  /** Seconds after `timestamp` at which CloudWatch Logs ingests it (flow logs: ~5 minutes, sometimes much later). */
  ingestDelaySeconds: number;
  message: string;
  /** Why it is in the sample. */
  note: string;
}

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

export function makeSamples(): SampleEvent[] {
  const random = rng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: SampleEvent[] = [];
  const account = '123456789012';
  const eni = 'eni-0a1b2c3d4e5f6a7b8';
  const scanners = ['203.0.113.7', '203.0.113.7', '203.0.113.7', '198.51.100.23', '198.51.100.23', '192.0.2.99'];
  const ports = [22, 22, 22, 3389, 3389, 445, 23, 5432, 6379];
  for (let minute = 0; minute < 30; minute++) {
    const start = SAMPLE_BASE_SECONDS + minute * 60;
    for (let k = 0; k < 4; k++) {
      const src = pick(scanners);
      const port = pick(ports);
      const delay = 240 + Math.floor(random() * 120);
      events.push({
        logGroup: DEFAULT_GROUP, timestamp: start, ingestDelaySeconds: delay,
        message: `2 ${account} ${eni} ${src} 10.0.1.25 ${40000 + Math.floor(random() * 20000)} ${port} 6 1 44 ${start} ${start + 60} REJECT OK`,
        note: 'rejected inbound scan',
      });
    }
    events.push({
      logGroup: DEFAULT_GROUP, timestamp: start, ingestDelaySeconds: 300,
      message: `2 ${account} ${eni} 10.0.1.25 52.94.133.131 ${50000 + minute} 443 6 12 4200 ${start} ${start + 60} ACCEPT OK`,
      note: 'accepted egress (the default filter pattern leaves it out)',
    });
    if (minute % 10 === 3) {
      events.push({
        logGroup: CUSTOM_GROUP, timestamp: start, ingestDelaySeconds: 280,
        message: `5 ${account} vpc-0f1e2d3c4b5a69788 subnet-0aaa1111bbbb2222c i-0c50d5961bcb2d47b eni-0f9e8d7c6b5a4f3e2 192.0.2.146 10.0.2.40 51515 22 6 3 180 ${start} ${start + 60} REJECT 2 ingress OK`,
        note: 'custom layout: rejected SSH SYN',
      });
    }
  }
  const at = (minute: number) => SAMPLE_BASE_SECONDS + minute * 60;
  events.push(
    { logGroup: DEFAULT_GROUP, timestamp: at(4), ingestDelaySeconds: 11 * 60, message: `2 ${account} ${eni} 192.0.2.50 10.0.1.25 61000 3389 6 2 88 ${at(4)} ${at(5)} REJECT OK`, note: 'late arrival: ingested 11 minutes after its time (within the 15-minute lookback)' },
    { logGroup: DEFAULT_GROUP, timestamp: at(6), ingestDelaySeconds: 25 * 60, message: `2 ${account} ${eni} 192.0.2.51 10.0.1.25 61001 22 6 2 88 ${at(6)} ${at(7)} REJECT OK`, note: 'very late arrival: ingested 25 minutes after its time (beyond the lookback: polling cannot see it)' },
    { logGroup: DEFAULT_GROUP, timestamp: at(8), ingestDelaySeconds: 300, message: `2 ${account} ${eni} 2001:db8:85a3::8a2e:370:7334 2600:1f18:abcd:ef01::25 52211 22 6 1 80 ${at(8)} ${at(9)} REJECT OK`, note: 'IPv6 rejected flow' },
    { logGroup: DEFAULT_GROUP, timestamp: at(9), ingestDelaySeconds: 300, message: `2 ${account} eni-0b2c3d4e5f6a7b8c9 - - - - - - - ${at(9)} ${at(10)} - SKIPDATA`, note: 'SKIPDATA: AWS dropped records in this interval' },
    { logGroup: DEFAULT_GROUP, timestamp: at(9), ingestDelaySeconds: 300, message: `2 ${account} eni-0c3d4e5f6a7b8c9d0 - - - - - - - ${at(9)} ${at(10)} - NODATA`, note: 'NODATA: idle interface (the default filter pattern leaves it out)' },
    { logGroup: DEFAULT_GROUP, timestamp: at(12), ingestDelaySeconds: 300, message: `2 ${account} ${eni} 203.0.113.7 10.0.1.25 REJECT OK`, note: 'malformed: fields missing' },
    { logGroup: DEFAULT_GROUP, timestamp: at(13), ingestDelaySeconds: 300, message: `2 ${account} ${eni} 203.0.113.7 10.0.1.25 40001 99999 6 1 44 ${at(13)} ${at(14)} REJECT OK`, note: 'malformed: port out of range' },
    { logGroup: CUSTOM_GROUP, timestamp: at(15), ingestDelaySeconds: 300, message: `5 ${account} vpc-0f1e2d3c4b5a69788 subnet-0aaa1111bbbb2222c - eni-0f9e8d7c6b5a4f3e2 2001:db8::1f 2600:1f18:abcd:ef01::40 443 51000 6 4 320 ${at(15)} ${at(16)} REJECT 18 egress OK`, note: 'custom layout: IPv6 SYN-ACK rejected on egress' },
  );
  return events.sort((a, b) => a.timestamp - b.timestamp || a.message.localeCompare(b.message));
}

if (require.main === module) {
  const file = join(__dirname, '..', 'samples', 'flow-events.jsonl');
  writeFileSync(file, `${makeSamples().map((e) => JSON.stringify(e)).join('\n')}\n`);
  process.stdout.write(`wrote ${file}\n`);
}
