import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { VpcFlowAlertsProps } from './vpc-flow-alerts';
import { VpcFlowAlerts } from './vpc-flow-alerts';

/** `Omit` for each member of a union, so a mode's props stay typed by mode. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Settings of {@link VpcFlowAlertsStack}: the construct's, plus an alarm e-mail. */
export interface VpcFlowAlertsStackProps extends StackProps {
  readonly alerts: DistributiveOmit<VpcFlowAlertsProps, 'alarmTopic'>;
  /**
   * Subscribe this address to an encrypted SNS topic that every alarm notifies.
   * @default no topic
   */
  readonly alarmEmail?: string;
}

/** The deployable product: the {@link VpcFlowAlerts} construct, an optional alarm topic, and outputs. */
export class VpcFlowAlertsStack extends Stack {
  public readonly alerts: VpcFlowAlerts;
  public readonly alarmTopic?: sns.Topic;
  /** The alarm topic's key, with `alarmEmail`. */
  public readonly alarmTopicKey?: kms.Key;

  public constructor(scope: Construct, id: string, props: VpcFlowAlertsStackProps) {
    super(scope, id, props);
    if (props.alarmEmail !== undefined) {
      // CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key.
      const key = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'vpc-flow-alerts alarm topic' });
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
      this.alarmTopicKey = key;
      this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true, displayName: 'vpc-flow-alerts alarms' });
      const subscription = this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless::Serverless-SNSRedrivePolicy',
        reason: 'The only subscriber is an e-mail address: SNS retries e-mail delivery itself, and every alarm this topic carries also shows in the dashboard\'s alarm widget and the console, so a dead-letter queue would only hold copies of notifications that are visible anyway.',
      });
    }
    this.alerts = new VpcFlowAlerts(this, 'VpcFlowAlerts', { ...props.alerts, ...(this.alarmTopic !== undefined && { alarmTopic: this.alarmTopic }) } as VpcFlowAlertsProps);

    new CfnOutput(this, 'AlertQueueUrl', { value: this.alerts.alertQueue.queueUrl, description: 'Point your alert pipeline here' });
    new CfnOutput(this, 'AlertQueueArn', { value: this.alerts.alertQueue.queueArn });
    new CfnOutput(this, 'DashboardUrl', { value: this.alerts.monitoring.dashboardUrl });
    if (this.alerts.checkpointTable !== undefined) new CfnOutput(this, 'CheckpointTableName', { value: this.alerts.checkpointTable.tableName });
    if (this.alerts.stream !== undefined) new CfnOutput(this, 'DeliveryStreamName', { value: this.alerts.stream.streamName });
    new CfnOutput(this, 'FunctionName', { value: this.alerts.function.functionName, description: 'The function (poll, subscribe or S3)' });
    // Deprecated alias of FunctionName, kept for one release for scripts that read it; removed in 0.3.
    new CfnOutput(this, 'PollerFunctionName', { value: this.alerts.function.functionName, description: 'Deprecated: use FunctionName (removed in 0.3)' });
    new CfnOutput(this, 'FunctionRoleArn', { value: this.alerts.functionRole.roleArn, description: 'The function\'s role (a central bucket in another account grants it s3:GetObject)' });
    if (this.alerts.bucketFlowLog !== undefined) new CfnOutput(this, 'FlowLogBucketName', { value: this.alerts.bucketFlowLog.bucket.bucketName, description: 'The bucket the created flow log writes to' });
    new CfnOutput(this, 'FunctionLogGroupName', { value: this.alerts.functionLogGroup.logGroupName, description: 'The function\'s logs (kept when the stack is deleted)' });
    if (this.alarmTopicKey !== undefined) new CfnOutput(this, 'AlarmTopicKeyArn', { value: this.alarmTopicKey.keyArn, description: 'The alarm topic\'s KMS key (kept when the stack is deleted; schedule its deletion)' });
    new CfnOutput(this, 'QuarantineQueueUrl', { value: this.alerts.quarantineQueue.queueUrl, description: 'Records the alert queue refused, with the reason' });
    if (this.alerts.flowLog !== undefined) new CfnOutput(this, 'FlowLogGroupName', { value: this.alerts.flowLog.logGroup.logGroupName });
  }
}
