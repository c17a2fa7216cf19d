import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CloseResult } from '../app/close-findings';
import type { AdmissionCounts } from '../app/finding-tracker';
import { FINDING_TYPES } from '../core/finding';
import { FINDING_METRICS, METRICS } from '../settings/metric-names';

/** Adds the detectors' metrics of one log group to `metrics` (the caller has set its dimension). */
export function addFindingMetrics(metrics: Metrics, admissions: AdmissionCounts, findings: CloseResult, resets: number): void {
  metrics.addMetric(METRICS.findingsSent, MetricUnit.Count, findings.sent);
  for (const type of FINDING_TYPES) metrics.addMetric(FINDING_METRICS[type], MetricUnit.Count, findings.byType[type] ?? 0);
  metrics.addMetric(METRICS.flowsSuppressed, MetricUnit.Count, admissions.held + admissions.counted);
  metrics.addMetric(METRICS.allowlistedFlows, MetricUnit.Count, admissions.allowlisted);
  metrics.addMetric(METRICS.lateFlows, MetricUnit.Count, admissions.late);
  metrics.addMetric(METRICS.findingSendFailures, MetricUnit.Count, findings.failed);
  metrics.addMetric(METRICS.findingStateResets, MetricUnit.Count, resets);
}
