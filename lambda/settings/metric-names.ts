import type { FindingType } from '../core/finding';

/** CloudWatch namespace, dimension and metric names the poller emits; the CDK dashboard and alarms import them. */
export const METRIC_NAMESPACE = 'VpcFlowAlerts';
export const METRIC_SERVICE = 'vpc-flow-alerts';
/** Every metric has this dimension, valued with the log group name (the S3 source: `s3://<bucket>/<prefix>`). */
export const LOG_GROUP_DIMENSION = 'LogGroup';
/**
 * The `LogGroup` value of push-mode metrics for deliveries whose group is not trusted (corrupt or
 * refused): a forged group name never becomes a metric dimension.
 */
export const UNTRUSTED_LOG_GROUP = 'unknown';

export const METRICS = {
  recordsRead: 'RecordsRead',
  alertsSent: 'AlertsSent',
  duplicatesSkipped: 'DuplicatesSkipped',
  unparsedRecords: 'UnparsedRecords',
  sendFailures: 'SendFailures',
  /** Records the alert queue refused in full and in minimal form, moved to the quarantine queue. */
  quarantined: 'Quarantined',
  /** Push mode: deliveries refused because their log group is not configured or their owner is another account. */
  refusedDeliveries: 'RefusedDeliveries',
  pollErrors: 'PollErrors',
  throttles: 'Throttles',
  pagesRead: 'PagesRead',
  lagSeconds: 'LagSeconds',
  cappedRuns: 'CappedRuns',
  catchUpGaps: 'CatchUpGaps',
  checkpointConflicts: 'CheckpointConflicts',
  /** Push mode: subscription deliveries that could not be decoded (each is sent as one unparsed alert). */
  corruptDeliveries: 'CorruptDeliveries',
  /** S3 source: flow-log objects read (to their end, or to a fault in them). */
  objectsRead: 'ObjectsRead',
  /** S3 source: objects that are not flow logs (manifests, other logs), and S3 test events. */
  objectsIgnored: 'ObjectsIgnored',
  /** S3 source: objects that could not be read to their end (corrupt gzip, not Parquet); reported as unparsed alerts. */
  corruptObjects: 'CorruptObjects',
  /** S3 source: notifications of another bucket or prefix, or that cannot be read: acknowledged, nothing sent. */
  refusedObjects: 'RefusedObjects',
  /** S3 source: objects (or their rest) handed to a continuation message as an invocation ran out of time. */
  objectsContinued: 'ObjectsContinued',
  /** Findings sent, all types (and per type: {@link FINDING_METRICS}). */
  findingsSent: 'FindingsSent',
  /** `findings` mode: flows counted in findings (or only counted) and not sent on their own. */
  flowsSuppressed: 'FlowsSuppressed',
  /** `findings` mode: flows of allowlisted sources, not sent. */
  allowlistedFlows: 'AllowlistedFlows',
  /** Rejected flows that arrived after their window's findings were out, sent as flow alerts. */
  lateFlows: 'LateFlows',
  /** Findings the queue did not take; their windows stay open and are sent again. */
  findingSendFailures: 'FindingSendFailures',
  /** Stored finding state that could not be read and was started afresh (findings may repeat). */
  findingStateResets: 'FindingStateResets',
} as const;

/** Findings sent, per finding type. */
export const FINDING_METRICS = {
  port_scan: 'PortScans',
  host_sweep: 'HostSweeps',
  lateral_blocked: 'LateralBlocked',
  egress_blocked: 'EgressBlocked',
  inbound_summary: 'InboundSummaries',
} as const satisfies Record<FindingType, string>;
