import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { CloseResult, FindingOutlets } from '../app/close-findings';
import { closeShardedWindows, emptyClose } from '../app/close-findings';
import { emptyAdmissions, PUSH_SHARDS, pushTiming } from '../app/finding-tracker';
import type { FindingSettings } from '../core/finding';
import type { CLOSE_FINDINGS_EVENT } from '../settings/settings-table';
import { LOG_GROUP_DIMENSION } from '../settings/metric-names';
import type { FindingStateStore } from '../app/ports';
import { forgetIfGone, rememberConfigured } from '../app/finding-groups';
import { addFindingMetrics } from './finding-metrics';

/** What the schedule sends in push and S3 modes: close the finding windows that can get no more records. */
export type CloseFindingsEvent = typeof CLOSE_FINDINGS_EVENT;

/** Whether an invocation is the closing schedule's rather than a source's. */
export function isCloseFindingsEvent(event: object): event is CloseFindingsEvent {
  return 'vpcFlowAlerts' in event;
}

/** What closing needs: the detectors (absent in `flows` mode), where findings go, logs, metrics and the clock. */
export interface CloseFindingsDeps {
  readonly findings?: { readonly settings: FindingSettings; readonly store: FindingStateStore; readonly lookbackMs: number };
  readonly outlets: FindingOutlets;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
}

/**
 * Sends the findings of every group's windows (a log group, or `s3://bucket/prefix`) that no
 * delivery can add to any more, and marks them closed: the configured groups, and the groups the
 * store still holds state of that are no longer configured (a removed log group, a changed
 * prefix), whose held flows would otherwise never reach a finding. Such a group is forgotten once
 * its items have expired. A group that fails is logged and counted; the next schedule tries it again.
 */
export async function closeFindingWindows(configured: Iterable<string>, deps: CloseFindingsDeps): Promise<void> {
  const findings = deps.findings;
  if (findings === undefined) {
    deps.logger.warn('close-findings event ignored: alertMode is flows');
    return;
  }
  const current = new Set(configured);
  let listed: readonly string[] = [];
  try {
    listed = await findings.store.groups();
    await rememberConfigured(findings.store, current, listed);
  } catch (error) {
    deps.logger.error('the list of groups with finding state could not be read or completed; the configured groups are closed, and the next schedule retries', { error: error as Error });
  }
  for (const group of new Set([...current, ...listed])) {
    const stale = !current.has(group);
    let result: CloseResult = emptyClose();
    try {
      const closed = await closeShardedWindows(findings.store, group, PUSH_SHARDS, pushTiming(findings.lookbackMs, deps.now()).closeUpTo, findings.settings, deps.outlets);
      result = closed;
      if (result.windows > 0) deps.logger.info('finding windows closed', { logGroup: group, windows: result.windows, findingsSent: result.byType, failed: result.failed, configured: !stale });
      if (stale && closed.storedShards === 0) await forget(findings.store, group, deps.logger);
    } catch (error) {
      result.failed++;
      deps.logger.error('finding windows could not be closed; the next schedule retries', { logGroup: group, error: error as Error });
    }
    if (result.failed > 0) deps.logger.error('findings could not be sent; their windows stay open and are sent next time', { logGroup: group, failed: result.failed });
    // A group no longer configured reports only when something happened (it is listed until its state expires).
    if (stale && result.windows === 0 && result.failed === 0) continue;
    deps.metrics.addDimension(LOG_GROUP_DIMENSION, group);
    addFindingMetrics(deps.metrics, emptyAdmissions(), result, 0);
    deps.metrics.publishStoredMetrics();
  }
}

async function forget(store: FindingStateStore, group: string, logger: Logger): Promise<void> {
  try {
    if (await forgetIfGone(store, group, PUSH_SHARDS)) logger.info('a group no longer configured has no finding state left; it is forgotten', { logGroup: group });
  } catch (error) {
    logger.warn('a group with no finding state left could not be forgotten; the next schedule retries', { logGroup: group, error: error as Error });
  }
}
