import type { Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PollerConfig } from '../app/config';
import { DEFAULT_FILTER_PATTERN } from '../settings/settings-table';
import { LOG_GROUP_DIMENSION, METRICS } from '../settings/metric-names';
import type { PollStats } from '../app/poll-log-group';
import type { AlertPublisher, CheckpointStore, FindingStateStore, LogSource } from '../app/ports';
import { addFindingMetrics } from './finding-metrics';
import { runPoll } from '../app/run-poll';
import { closeStaleGroups } from '../app/close-stale-groups';
import { emptyAdmissions } from '../app/finding-tracker';

/**
 * Time kept back from the Lambda timeout once a run stops reading: enough for one more page's
 * throttling backoff, sends and checkpoint write. A quarter of the time left at the start, at most a minute.
 */
export const TIME_RESERVE_MS = 60_000;

/** The parts of the Lambda context the poller uses. */
export type InvocationContext = Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'> & Partial<Context>;

/** What a run returns (and logs): one entry per log group. */
export interface RunSummary {
  readonly runId: string;
  readonly groups: readonly PollStats[];
}

/** Everything the poller needs, created once per container and injected. */
export interface PollHandlerDeps {
  readonly config: PollerConfig;
  readonly source: LogSource;
  readonly publisher: AlertPublisher;
  /** The quarantine queue's publisher. */
  readonly quarantine: AlertPublisher;
  readonly checkpoints: CheckpointStore;
  /** Where the detectors keep their state (used when alertMode is not `flows`). */
  readonly findingStore?: FindingStateStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now?: () => number;
}

/**
 * Builds the scheduled-event handler: one run over every log group, then per group a structured
 * summary log and EMF metrics. Poll errors are logged with their cause and fix and counted; the
 * run itself still succeeds so the schedule stays healthy and the next run retries.
 */
export function createPollHandler(deps: PollHandlerDeps): (event: unknown, context: InvocationContext) => Promise<RunSummary> {
  const now = deps.now ?? Date.now;
  return async (_event, context) => {
    // The request id names the run in logs and holds the groups' leases: a retried invocation
    // gets a new one, so it never mistakes a crashed attempt's lease for its own.
    const runId = context.awsRequestId;
    const reserveMs = Math.min(TIME_RESERVE_MS, Math.floor(context.getRemainingTimeInMillis() / 4));
    const { config, logger } = deps;
    if (context.functionName !== undefined) logger.addContext(context as Context);
    logger.appendKeys({ runId });
    try {
      const groups = await runPoll(
        config.logGroups.map((g) => ({ name: g.name, format: g.format, filterPattern: g.filterPattern })),
        {
          source: deps.source,
          publisher: deps.publisher,
          quarantine: deps.quarantine,
          checkpoints: deps.checkpoints,
          now,
          outOfTime: () => context.getRemainingTimeInMillis() < reserveMs,
          runId,
          // The lease lasts as long as this invocation can: a crashed run frees its groups by then.
          leaseUntil: () => now() + context.getRemainingTimeInMillis(),
          settings: { lookbackMs: config.lookbackMs, maxCatchUpMs: config.maxCatchUpMs, maxMessageBytes: config.maxMessageBytes, classify: config.classify, outputFormat: config.outputFormat },
          // In flows mode too: the windows a findings-mode run left open are still closed and sent.
          ...(deps.findingStore !== undefined && { findings: { settings: config.findings, store: deps.findingStore } }),
        },
        config.maxEventsPerRun,
      );
      for (const stats of groups) report(stats, deps);
      // Groups removed from the stack: their held flows still reach a finding (while time is left).
      if (context.getRemainingTimeInMillis() >= reserveMs) await closeRemoved(deps, runId, now, () => now() + context.getRemainingTimeInMillis());
      return { runId, groups };
    } finally {
      logger.removeKeys(['runId']);
    }
  };
}

/**
 * Sends the findings of log groups removed from the stack that still hold flows, so none are
 * stranded by the change. A failure is logged; the next run tries again.
 */
async function closeRemoved(deps: PollHandlerDeps, runId: string, now: () => number, leaseUntil: () => number): Promise<void> {
  const store = deps.findingStore;
  if (store === undefined) return;
  const { config, logger, metrics } = deps;
  try {
    const closed = await closeStaleGroups(new Set(config.logGroups.map((g) => g.name)), {
      store, checkpoints: deps.checkpoints, settings: config.findings, lookbackMs: config.lookbackMs, runId, now, leaseUntil,
      outlets: { publisher: deps.publisher, quarantine: deps.quarantine, maxMessageBytes: config.maxMessageBytes, outputFormat: config.outputFormat },
    });
    for (const { logGroup, findings, forgotten } of closed) {
      if (findings.windows > 0 || findings.failed > 0) logger.info('finding windows of a log group no longer polled closed', { logGroup, windows: findings.windows, findingsSent: findings.byType, failed: findings.failed });
      if (forgotten) logger.info('a log group no longer polled has no finding state left; it is forgotten', { logGroup });
      metrics.addDimension(LOG_GROUP_DIMENSION, logGroup);
      addFindingMetrics(metrics, emptyAdmissions(), findings, 0);
      metrics.publishStoredMetrics();
    }
  } catch (error) {
    logger.error('finding windows of log groups no longer polled could not be closed; the next run retries', { error: error as Error });
  }
}

function report(stats: PollStats, deps: PollHandlerDeps): void {
  const { logger, metrics } = deps;
  const throttles = stats.throttles;
  const summary = {
    logGroup: stats.logGroup,
    end: stats.end,
    recordsRead: stats.recordsRead,
    alertsSent: stats.alertsSent,
    bySeverity: stats.bySeverity,
    duplicatesSkipped: stats.duplicatesSkipped,
    unparsedRecords: stats.unparsedRecords,
    headersSkipped: stats.headersSkipped,
    sendFailures: stats.sendFailures,
    quarantined: stats.quarantined,
    downgraded: stats.downgraded,
    pagesRead: stats.pagesRead,
    throttles,
    lagSeconds: stats.lagSeconds,
    ...(deps.config.findings.alertMode !== 'flows' && { findingsSent: stats.findings.byType, flowsHeld: stats.admissions.held, allowlistedFlows: stats.admissions.allowlisted, lateFlows: stats.admissions.late }),
  };
  if (stats.error !== undefined) {
    logger.error('poll failed; checkpoint unchanged, the next run retries', { ...summary, cause: stats.error.kind, detail: stats.error.message });
  } else if (stats.end === 'send-failed') {
    logger.error('some alerts could not be sent; they are retried next run', summary);
  } else {
    logger.info('poll finished', summary);
  }
  for (const gap of stats.gaps) {
    const gapStart = new Date(gap.start).toISOString();
    const gapEnd = new Date(gap.end).toISOString();
    logger.error('records older than MAX_CATCH_UP_HOURS were not read; send them with the replay command given here', {
      logGroup: stats.logGroup, gapStart, gapEnd, replay: replayCommand(deps.config, stats.logGroup, gapStart, gapEnd),
    });
  }
  if (stats.quarantined > 0) {
    logger.error('records the alert queue refused were moved to the quarantine queue; the checkpoint moved on', {
      logGroup: stats.logGroup, quarantined: stats.quarantined, records: stats.quarantinedRecords,
    });
  }
  if (stats.findingStateDiscarded !== undefined) logger.error('the stored finding state could not be read and was started afresh; findings of open windows may repeat', { logGroup: stats.logGroup, reason: stats.findingStateDiscarded });
  if (stats.findings.failed > 0) logger.error('findings could not be sent; their windows stay open and are sent next run', { logGroup: stats.logGroup, failed: stats.findings.failed });
  if (stats.end === 'leased') logger.warn('another invocation holds this log group\'s lease; this run skipped the group', { logGroup: stats.logGroup });
  if (stats.end === 'conflict') logger.warn('another invocation advanced this checkpoint first; this run stopped', { logGroup: stats.logGroup });

  metrics.addDimension(LOG_GROUP_DIMENSION, stats.logGroup);
  metrics.addMetric(METRICS.recordsRead, MetricUnit.Count, stats.recordsRead);
  metrics.addMetric(METRICS.alertsSent, MetricUnit.Count, stats.alertsSent);
  metrics.addMetric(METRICS.duplicatesSkipped, MetricUnit.Count, stats.duplicatesSkipped);
  metrics.addMetric(METRICS.unparsedRecords, MetricUnit.Count, stats.unparsedRecords);
  metrics.addMetric(METRICS.sendFailures, MetricUnit.Count, stats.sendFailures);
  metrics.addMetric(METRICS.quarantined, MetricUnit.Count, stats.quarantined);
  metrics.addMetric(METRICS.pollErrors, MetricUnit.Count, stats.end === 'poll-error' ? 1 : 0);
  metrics.addMetric(METRICS.throttles, MetricUnit.Count, throttles);
  metrics.addMetric(METRICS.pagesRead, MetricUnit.Count, stats.pagesRead);
  // No lag figure beats a false 0: the lag alarm treats missing data as breaching.
  if (stats.lagSeconds !== undefined) metrics.addMetric(METRICS.lagSeconds, MetricUnit.Seconds, stats.lagSeconds);
  metrics.addMetric(METRICS.cappedRuns, MetricUnit.Count, stats.end === 'capped' ? 1 : 0);
  metrics.addMetric(METRICS.catchUpGaps, MetricUnit.Count, stats.gaps.length);
  metrics.addMetric(METRICS.checkpointConflicts, MetricUnit.Count, stats.end === 'conflict' || stats.end === 'leased' ? 1 : 0);
  if (deps.config.findings.alertMode !== 'flows') addFindingMetrics(metrics, stats.admissions, stats.findings, stats.findingStateDiscarded === undefined ? 0 : 1);
  metrics.publishStoredMetrics();
}

/** The `npm run replay` command that sends a range the poller skipped, with this group's settings. */
export function replayCommand(config: PollerConfig, logGroup: string, start: string, end: string): string {
  const group = config.logGroups.find((g) => g.name === logGroup);
  const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  return [
    `npm run --silent replay -- --log-group ${quote(logGroup)} --start ${start} --end ${end} --queue-url ${config.queueUrl}`,
    `--quarantine-queue-url ${config.quarantineQueueUrl}`,
    ...(group !== undefined && !group.format.isDefault ? [`--format ${quote(group.format.logFormat)}`] : []),
    ...(group !== undefined && group.filterPattern !== DEFAULT_FILTER_PATTERN ? [`--filter-pattern ${quote(group.filterPattern)}`] : []),
    // The same classification as the stack's, so replayed alerts match the ones the poll would have sent.
    ...(config.classify.severity.profile !== 'seed' ? [`--severity-profile ${config.classify.severity.profile}`] : []),
    ...(config.classify.internalCidrs.length > 0 ? [`--internal-cidrs ${config.classify.internalCidrs.map((c) => c.text).join(',')}`] : []),
    ...(config.classify.severity.rules.length > 0 ? ['--severity-rules <a file holding the stack\'s severityRules setting>'] : []),
    ...(config.findings.alertMode !== 'flows' ? findingOptions(config) : []),
    ...(config.outputFormat !== 'native' ? [`--output-format ${config.outputFormat}`] : []),
  ].join(' ');
}

/** The replay options that make the stack's findings: the same mode, thresholds, window and allowlist. */
function findingOptions(config: PollerConfig): string[] {
  const f = config.findings;
  return [
    `--alert-mode ${f.alertMode}`,
    `--scan-port-threshold ${f.scanPortThreshold}`,
    `--sweep-host-threshold ${f.sweepHostThreshold}`,
    `--finding-window-minutes ${f.windowMs / 60_000}`,
    ...(f.allowlist.length > 0 ? [`--allowlist ${f.allowlist.map((c) => c.text).join(',')}`] : []),
  ];
}
