/**
 * `npm run demo`: the poller end to end on this machine, no AWS account. Starts local endpoints on
 * 127.0.0.1 (CloudWatch Logs emulator, fauxqs for SQS, dynalite for DynamoDB), loads the bundled
 * sample flow logs (samples/flow-events.jsonl) with their ingestion delays, runs the real poller
 * over simulated 5-minute ticks, reads the queue back as an alert pipeline would, and prints what
 * arrived.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV } from '../lambda/settings/settings-table';
import type { PollStats } from '../lambda/app/poll-log-group';
import type { LocalAws } from '../local/local-aws';
import { makePoller, quarantineUrlFor, startLocalAws } from '../local/local-aws';
import type { SampleEvent } from './make-samples';
import { CUSTOM_FORMAT, CUSTOM_GROUP, DEFAULT_GROUP, SAMPLE_BASE_SECONDS } from './make-samples';

const TICK_MS = 5 * 60_000;
const TICKS = 12;
const LOOKBACK_MINUTES = 15;

interface ReceivedAlert {
  alert_id: string;
  severity: string;
  src_ip: string | null;
  dst_port: number | null;
  action: string | null;
  raw_event: { record_format: string; log_group?: string; message: string };
}

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function top(counts: Map<string, number>, n: number): string {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([k, v]) => `${k} (${v})`).join(', ');
}

function count<T>(items: readonly T[], key: (item: T) => string | null): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

async function main(): Promise<void> {
  // The demo prints its own summary; the Lambda's JSON logs and EMF lines would drown it.
  process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';

  const samples = readFileSync(join(__dirname, '..', 'samples', 'flow-events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SampleEvent);

  const aws: LocalAws = await startLocalAws();
  try {
    aws.clock.ms = SAMPLE_BASE_SECONDS * 1000;
    out('vpc-flow-alerts demo: the real poller against local endpoints on 127.0.0.1');
    out(`  CloudWatch Logs emulator ${aws.logs.endpoint}   SQS (fauxqs) ${aws.sqs.endpoint}   DynamoDB (dynalite) ${aws.dynamo.endpoint}`);

    const groups = [DEFAULT_GROUP, CUSTOM_GROUP];
    const idsByGroup = new Map<string, Map<string, SampleEvent>>();
    for (const group of groups) {
      aws.logs.createLogGroup(group);
      const events = samples.filter((s) => s.logGroup === group);
      const ids = aws.logs.putEvents(
        group,
        events.map((e) => ({ logStreamName: 'eni-all', timestamp: e.timestamp * 1000, ingestionTime: (e.timestamp + e.ingestDelaySeconds) * 1000, message: e.message })),
      );
      idsByGroup.set(group, new Map(ids.map((id, i) => [id, events[i] as SampleEvent])));
    }
    out(`  loaded ${samples.length} sample events: ${groups.map((g) => `${g} ${idsByGroup.get(g)?.size}`).join(', ')}`);

    const queueUrl = await aws.sqs.createQueue('vpc-flow-alerts');
    await aws.dynamo.createCheckpointTable('vpc-flow-alerts-checkpoints');
    const poller = makePoller(aws, {
      [ENV.logGroups]: JSON.stringify([{ name: DEFAULT_GROUP }, { name: CUSTOM_GROUP, logFormat: CUSTOM_FORMAT }]),
      [ENV.queueUrl]: queueUrl,
      [ENV.quarantineQueueUrl]: quarantineUrlFor(queueUrl),
      [ENV.checkpointTable]: 'vpc-flow-alerts-checkpoints',
      [ENV.lookbackMinutes]: String(LOOKBACK_MINUTES),
      [ENV.filterRequestsPerSecond]: '5',
    });

    out();
    out(`Scheduled runs (every 5 simulated minutes, filter pattern "?REJECT ?SKIPDATA", lookback ${LOOKBACK_MINUTES} min):`);
    const received: ReceivedAlert[] = [];
    let last: readonly PollStats[] = [];
    let duplicates = 0;
    for (let tick = 1; tick <= TICKS; tick++) {
      aws.clock.ms += TICK_MS;
      const summary = await poller.invoke();
      const messages = await aws.sqs.drain(queueUrl);
      received.push(...messages.map((m) => JSON.parse(m.Body ?? '{}') as ReceivedAlert));
      last = summary.groups;
      const time = new Date(aws.clock.ms).toISOString().slice(11, 16);
      const parts = summary.groups.map((g) => {
        duplicates += g.duplicatesSkipped;
        return `${g.logGroup.padEnd(22)} read ${String(g.recordsRead).padStart(3)}  sent ${String(g.alertsSent).padStart(3)}  duplicates skipped ${String(g.duplicatesSkipped).padStart(3)}`;
      });
      out(`  ${time}Z  ${parts.join('   |   ')}   queue +${messages.length}`);
    }

    const bySeverity = count(received, (a) => a.severity);
    const byFormat = count(received, (a) => a.raw_event.record_format);
    const rejected = received.filter((a) => a.action === 'REJECT');
    out();
    out(`Alerts the pipeline received: ${received.length} (distinct alert_id: ${new Set(received.map((a) => a.alert_id)).size})`);
    out(`  by severity:       ${top(bySeverity, 5)}`);
    out(`  by record format:  ${top(byFormat, 5)}`);
    out(`  top rejected sources:            ${top(count(rejected, (a) => a.src_ip), 5)}`);
    out(`  top rejected destination ports:  ${top(count(rejected, (a) => (a.dst_port === null ? null : String(a.dst_port))), 5)}`);
    out(`  duplicates skipped (records re-read in the lookback overlap, not re-sent): ${duplicates}`);
    out(`  lag after the last run: ${last.map((g) => `${g.logGroup} ${g.lagSeconds ?? '?'} s`).join(', ')}`);

    // What the filter pattern selects, and what of it arrived.
    const receivedIds = new Set(received.map((a) => a.alert_id));
    const matching = [...idsByGroup.values()].flatMap((m) => [...m.entries()]).filter(([, e]) => /REJECT|SKIPDATA/.test(e.message));
    const missing = matching.filter(([id]) => !receivedIds.has(id));
    out();
    out(`Records matching the filter: ${matching.length}; delivered: ${matching.length - missing.length}; not delivered: ${missing.length}`);
    for (const [, event] of missing) out(`  not delivered: ${event.note}`);
    const unparsed = received.filter((a) => a.raw_event.record_format === 'unparsed');
    for (const alert of unparsed) out(`  passed through unparsed (raw message kept): ${alert.raw_event.message}`);

    out();
    out('First alerts, as the queue holds them:');
    const firsts = [received.find((a) => a.raw_event.record_format === 'v2'), received.find((a) => a.raw_event.record_format === 'custom'), received.find((a) => a.severity === 'info')];
    for (const alert of firsts) if (alert !== undefined) out(JSON.stringify(alert, null, 2));
  } finally {
    await aws.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
