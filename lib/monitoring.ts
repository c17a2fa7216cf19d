import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FINDING_METRICS, LOG_GROUP_DIMENSION, METRIC_NAMESPACE, METRIC_SERVICE, METRICS, UNTRUSTED_LOG_GROUP } from '../lambda/settings/metric-names';

/** What {@link AlertsMonitoring} watches. */
export interface AlertsMonitoringProps {
  readonly function: lambda.IFunction;
  readonly logGroupNames: readonly string[];
  readonly alertQueue: sqs.IQueue;
  readonly deadLetterQueues: ReadonlyArray<{ readonly label: string; readonly queue: sqs.IQueue }>;
  /** Lag above this many minutes, or three silent periods, raises the lag alarm. */
  readonly lagAlarmMinutes: number;
  /** The period of every metric and alarm: the schedule interval in poll mode. */
  readonly periodMinutes: number;
  /** Where alarms notify. @default none */
  readonly alarmTopic?: sns.ITopic;
  /** `poll` watches polling (lag, poll errors, throttles); `subscribe` watches deliveries. */
  readonly mode: 'poll' | 'subscribe' | 's3';
  /** The detectors run (alertMode is not `flows`): findings widgets and alarms. */
  readonly findings: boolean;
  /** Alarm on the age of the oldest unprocessed Kinesis record. */
  readonly iteratorAge: boolean;
}

/** The CloudWatch dashboard and alarms, built on the metric names the function emits. */
export class AlertsMonitoring extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** Console address of the dashboard. */
  public readonly dashboardUrl: string;

  public constructor(scope: Construct, id: string, props: AlertsMonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(props.periodMinutes);
    const lagAlarmThreshold = Duration.minutes(props.lagAlarmMinutes);
    const groupMetric = (name: string, logGroup: string, statistic: string = cloudwatch.Stats.SUM): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: METRIC_SERVICE, [LOG_GROUP_DIMENSION]: logGroup },
        statistic,
        period,
      });
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, options: Omit<cloudwatch.AlarmProps, 'metric'>): void => {
      const created = new cloudwatch.Alarm(this, alarmId, { metric, ...options });
      if (props.alarmTopic !== undefined) {
        created.addAlarmAction(new actions.SnsAction(props.alarmTopic));
        created.addOkAction(new actions.SnsAction(props.alarmTopic));
      }
      this.alarms.push(created);
    };
    const atLeastOne = { threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD };
    const quietIsFine = { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING };

    alarm('FunctionErrors', props.function.metricErrors({ period }), {
      ...atLeastOne, ...quietIsFine, evaluationPeriods: 1,
      alarmDescription: 'The function failed (its logs say why; failed invocations also land in the invocation dead-letter queue).',
    });
    alarm('FunctionThrottles', props.function.metricThrottles({ period }), {
      ...atLeastOne, ...quietIsFine, evaluationPeriods: 1,
      alarmDescription: 'Lambda throttled the function: the account\'s concurrency (or the function\'s reservedConcurrency) was exhausted.',
    });
    const polling = props.mode === 'poll';
    props.logGroupNames.forEach((group, index) => {
      alarm(`SendFailures${index}`, groupMetric(METRICS.sendFailures, group), {
        ...atLeastOne, ...quietIsFine, evaluationPeriods: 1,
        alarmDescription: polling
          ? `Alerts from ${group} could not be sent to the queue after retries; they are read again next run.`
          : props.mode === 's3'
            ? `Alerts from ${group} could not be sent to the queue after retries; the object's notification is delivered again (then kept in its dead-letter queue).`
            : `Alerts from ${group} could not be sent to the queue after retries; the delivery is retried (direct: twice, then its payload goes to the invocation dead-letter queue; Kinesis: until the records expire).`,
      });
      if (!polling) return;
      alarm(`PollErrors${index}`, groupMetric(METRICS.pollErrors, group), {
        ...atLeastOne, ...quietIsFine, evaluationPeriods: 2, datapointsToAlarm: 2,
        alarmDescription: `Two runs in a row could not poll ${group} (missing log group, access denied, throttling or checkpoint errors; the ERROR log names the cause and fix).`,
      });
      alarm(`Lag${index}`, groupMetric(METRICS.lagSeconds, group, cloudwatch.Stats.MAXIMUM), {
        threshold: lagAlarmThreshold.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3, datapointsToAlarm: 3,
        // Silence means the poll is not running: that is the failure this alarm exists for.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: `The poll is more than ${lagAlarmThreshold.toHumanString()} behind on ${group}, or has not reported for three periods.`,
      });
      alarm(`Throttles${index}`, groupMetric(METRICS.throttles, group), {
        threshold: 10, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, ...quietIsFine, evaluationPeriods: 3, datapointsToAlarm: 3,
        alarmDescription: `FilterLogEvents on ${group} is throttled again and again: other callers share the 5 requests/second quota; consider push mode.`,
      });
    });
    const objects = props.mode === 's3';
    if (objects) {
      props.logGroupNames.forEach((origin, index) => {
        alarm(`CorruptObjects${index}`, groupMetric(METRICS.corruptObjects, origin), {
          ...atLeastOne, ...quietIsFine, evaluationPeriods: 1,
          alarmDescription: `A flow-log object in ${origin} could not be read to its end (corrupt gzip, not Parquet); what came before was sent, and the fault as an unparsed alert.`,
        });
        alarm(`NoObjects${index}`, groupMetric(METRICS.objectsRead, origin).with({ period: Duration.hours(1) }), {
          threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 3,
          // Silence is the failure: no notification reaches the function at all.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          alarmDescription: `No flow-log object of ${origin} was read for 3 hours: the bucket's events do not reach this account's default bus (EventBridge off on the bucket, flowLogBucketAccount or the forwarding rule missing), reads are denied, or the flow log stopped. A flow log with nothing to record writes no files.`,
        });
        alarm(`RefusedObjects${index}`, groupMetric(METRICS.refusedObjects, origin), {
          ...atLeastOne, ...quietIsFine, evaluationPeriods: 1,
          alarmDescription: 'A notification named another bucket or prefix, or no object at all (the WARN log says which): someone else may be sending to the notification queue.',
        });
      });
    }
    if (props.mode === 'subscribe') {
      // Corrupt and refused deliveries carry no trusted log group: they share one dimension value.
      alarm('CorruptDeliveries', groupMetric(METRICS.corruptDeliveries, UNTRUSTED_LOG_GROUP), {
        ...atLeastOne, ...quietIsFine, evaluationPeriods: 1,
        alarmDescription: 'A subscription delivery could not be decoded; it was sent as one unparsed alert carrying its raw data.',
      });
      alarm('RefusedDeliveries', groupMetric(METRICS.refusedDeliveries, UNTRUSTED_LOG_GROUP), {
        ...atLeastOne, ...quietIsFine, evaluationPeriods: 1,
        alarmDescription: 'A delivery from a log group that is not configured, or from another account, was refused (the WARN log names the claimed group). Someone may be writing to the delivery stream.',
      });
    }
    if (props.findings) {
      props.logGroupNames.forEach((group, index) => {
        alarm(`FindingSendFailures${index}`, groupMetric(METRICS.findingSendFailures, group), {
          ...atLeastOne, ...quietIsFine, evaluationPeriods: 1,
          alarmDescription: `Findings of ${group} could not be sent; their windows stay open and are sent again next time.`,
        });
        alarm(`FindingStateResets${index}`, groupMetric(METRICS.findingStateResets, group), {
          ...atLeastOne, ...quietIsFine, evaluationPeriods: 1,
          alarmDescription: `The stored finding state of ${group} could not be read and was started afresh (the ERROR log says why); findings of the open windows may be incomplete.`,
        });
      });
    }
    if (props.iteratorAge) {
      alarm('IteratorAge', props.function.metric('IteratorAge', { period, statistic: cloudwatch.Stats.MAXIMUM }), {
        threshold: Duration.minutes(10).toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        ...quietIsFine, evaluationPeriods: 2, datapointsToAlarm: 2,
        alarmDescription: 'The function is more than 10 minutes behind the Kinesis stream: deliveries outpace it, or a batch keeps failing.',
      });
    }
    props.deadLetterQueues.forEach(({ label, queue }, index) => {
      alarm(`DeadLetters${index}`, queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }), {
        ...atLeastOne, ...quietIsFine, evaluationPeriods: 1,
        alarmDescription: `Messages in the ${label} dead-letter queue.`,
      });
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    const fn = props.function;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Function invocations and errors', left: [fn.metricInvocations({ period }), fn.metricErrors({ period }), fn.metricThrottles({ period })], width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Function duration', left: [fn.metricDuration({ period, statistic: cloudwatch.Stats.MAXIMUM }), fn.metricDuration({ period, statistic: cloudwatch.Stats.AVERAGE })], width: 12 }),
    );
    const perGroup = (title: string, names: readonly string[], statistic?: string): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({
        title,
        width: 12,
        left: props.logGroupNames.flatMap((group) => names.map((name) => groupMetric(name, group, statistic).with({ label: `${name} ${group}` }))),
      });
    if (polling) {
      this.dashboard.addWidgets(
        perGroup('Records read, alerts sent, duplicates skipped', [METRICS.recordsRead, METRICS.alertsSent, METRICS.duplicatesSkipped]),
        perGroup('Unparsed records, send failures, quarantined, poll errors', [METRICS.unparsedRecords, METRICS.sendFailures, METRICS.quarantined, METRICS.pollErrors]),
      );
      this.dashboard.addWidgets(
        perGroup('Lag (seconds behind)', [METRICS.lagSeconds], cloudwatch.Stats.MAXIMUM),
        perGroup('Capped runs, throttles, catch-up gaps, checkpoint conflicts, pages read', [METRICS.cappedRuns, METRICS.throttles, METRICS.catchUpGaps, METRICS.checkpointConflicts, METRICS.pagesRead]),
      );
    } else if (objects) {
      this.dashboard.addWidgets(
        perGroup('Objects read, ignored, corrupt, refused, continued', [METRICS.objectsRead, METRICS.objectsIgnored, METRICS.corruptObjects, METRICS.refusedObjects, METRICS.objectsContinued]),
        perGroup('Records read, alerts sent, unparsed, send failures, quarantined', [METRICS.recordsRead, METRICS.alertsSent, METRICS.unparsedRecords, METRICS.sendFailures, METRICS.quarantined]),
      );
    } else {
      this.dashboard.addWidgets(
        perGroup('Records delivered, alerts sent', [METRICS.recordsRead, METRICS.alertsSent]),
        new cloudwatch.GraphWidget({
          title: 'Unparsed records, send failures, quarantined, corrupt and refused deliveries',
          width: 12,
          left: [
            ...props.logGroupNames.flatMap((group) => [METRICS.unparsedRecords, METRICS.sendFailures, METRICS.quarantined].map((name) => groupMetric(name, group).with({ label: `${name} ${group}` }))),
            groupMetric(METRICS.corruptDeliveries, UNTRUSTED_LOG_GROUP).with({ label: METRICS.corruptDeliveries }),
            groupMetric(METRICS.refusedDeliveries, UNTRUSTED_LOG_GROUP).with({ label: METRICS.refusedDeliveries }),
          ],
        }),
      );
      if (props.iteratorAge) {
        this.dashboard.addWidgets(new cloudwatch.GraphWidget({ title: 'Kinesis iterator age (ms)', width: 24, left: [props.function.metric('IteratorAge', { period, statistic: cloudwatch.Stats.MAXIMUM })] }));
      }
    }
    if (props.findings) {
      this.dashboard.addWidgets(
        perGroup('Findings sent, by type', [METRICS.findingsSent, ...Object.values(FINDING_METRICS)]),
        perGroup('Flows suppressed, allowlisted, late; finding send failures and state resets', [METRICS.flowsSuppressed, METRICS.allowlistedFlows, METRICS.lateFlows, METRICS.findingSendFailures, METRICS.findingStateResets]),
      );
    }
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Alert queue: depth and age of oldest message',
        width: 12,
        left: [props.alertQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM })],
        right: [props.alertQueue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queues',
        width: 12,
        left: props.deadLetterQueues.map(({ label, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM, label })),
      }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    const region = Stack.of(this).region;
    this.dashboardUrl = `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${this.dashboard.dashboardName}`;
  }
}
