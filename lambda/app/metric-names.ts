/** CloudWatch namespace, dimension and metric names the poller emits; the CDK dashboard and alarms import them. */
export const METRIC_NAMESPACE = 'VpcFlowAlerts';
export const METRIC_SERVICE = 'vpc-flow-alerts';
/** Every poller metric has this dimension, valued with the log group name. */
export const LOG_GROUP_DIMENSION = 'LogGroup';

export const METRICS = {
  recordsRead: 'RecordsRead',
  alertsSent: 'AlertsSent',
  duplicatesSkipped: 'DuplicatesSkipped',
  unparsedRecords: 'UnparsedRecords',
  sendFailures: 'SendFailures',
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
