/** CloudWatch namespace, dimension and metric names the poller emits; the CDK dashboard and alarms import them. */
export const METRIC_NAMESPACE = 'VpcFlowAlerts';
export const METRIC_SERVICE = 'vpc-flow-alerts';
/** Every poller metric has this dimension, valued with the log group name. */
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
} as const;
