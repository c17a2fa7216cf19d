/**
 * End-to-end poller throughput against the local endpoints: 20,000 rejected flows in one log
 * group, scheduled runs until caught up. Prints wall time, records/s, peak RSS and the API calls
 * made beside the minimum. `npm run bench`.
 */
import { ENV } from '../lambda/settings/settings-table';
import { FLOW_GROUP, flowLine, makePoller, MIN, pollerEnv, startLocalAws } from '../local/local-aws';

const RECORDS = Number(process.env['BENCH_POLLER_RECORDS'] ?? 20_000);

async function main(): Promise<void> {
  process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  const aws = await startLocalAws();
  try {
    aws.logs.createLogGroup(FLOW_GROUP);
    const queueUrl = await aws.sqs.createQueue('bench-alerts');
    await aws.dynamo.createCheckpointTable('bench-checkpoints');
    const t = aws.clock.ms;
    aws.logs.putEvents(FLOW_GROUP, Array.from({ length: RECORDS }, (_, i) => ({ timestamp: t + 1 + (i % 240_000), message: flowLine(i, t + (i % 240_000)) })));

    const runs: Array<{ cap: number; label: string }> = [
      { cap: 5000, label: `default MAX_EVENTS_PER_RUN=5000` },
      { cap: RECORDS, label: `MAX_EVENTS_PER_RUN=${RECORDS} (one run)` },
    ];
    process.stdout.write(`poller end to end: ${RECORDS.toLocaleString('en-US')} records, local endpoints, node ${process.version}\n`);
    for (const [index, { cap, label }] of runs.entries()) {
      const table = `bench-checkpoints-${index}`;
      await aws.dynamo.createCheckpointTable(table);
      const poller = makePoller(aws, pollerEnv(queueUrl, table, { [ENV.maxEventsPerRun]: String(cap), [ENV.filterRequestsPerSecond]: '5' }));
      aws.clock.ms = t + 5 * MIN;
      const filterBefore = aws.logs.calls.count['FilterLogEvents'] ?? 0;
      const sendBefore = aws.sqs.calls.get('SendMessageBatch') ?? 0;
      const started = process.hrtime.bigint();
      let invocations = 0;
      let sent = 0;
      let pages = 0;
      for (;;) {
        invocations++;
        const summary = await poller.invoke();
        const group = summary.groups[0];
        sent += group?.alertsSent ?? 0;
        pages += group?.pagesRead ?? 0;
        if (group?.end === 'caught-up') break;
        if (invocations > 50) throw new Error(`not caught up: ${JSON.stringify(group)}`);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const received = (await aws.sqs.drain(queueUrl)).length;
      const filterCalls = (aws.logs.calls.count['FilterLogEvents'] ?? 0) - filterBefore;
      const sendCalls = (aws.sqs.calls.get('SendMessageBatch') ?? 0) - sendBefore;
      const puts = poller.checkpointCalls.get('PutItemCommand') ?? 0;
      process.stdout.write(
        [
          `${label}:`,
          `  ${invocations} invocations, ${seconds.toFixed(2)} s wall, ${Math.round(sent / seconds).toLocaleString('en-US')} records/s; ${sent} sent, ${received} received from the queue`,
          `  SendMessageBatch ${sendCalls} (minimum ceil(n/10) = ${Math.ceil(RECORDS / 10)})`,
          `  FilterLogEvents ${filterCalls} pages (minimum ceil(n/10000) = ${Math.ceil(RECORDS / 10_000)}; ${pages} reported by the poller, including lookback re-reads and capped-run continuations)`,
          `  checkpoint writes ${puts} (a new group saves its first window, then one write per page), checkpoint reads ${poller.checkpointCalls.get('GetItemCommand') ?? 0}`,
        ].join('\n') + '\n',
      );
    }
    const rss = process.resourceUsage().maxRSS;
    process.stdout.write(`peak RSS ${(rss / 1024).toFixed(0)} MiB (this process: poller, CloudWatch Logs emulator and dynalite; fauxqs runs in its own process)\n`);
  } finally {
    await aws.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
