import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The stack's one customer-managed KMS key and the service access it needs. */
export class Encryption extends Construct {
  /** Encrypts the table, the documents bucket, the secrets, the log groups, the DLQ and the alarm topic. */
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Onboarding data: records, PII vault, provider secrets, logs and alarms',
      enableKeyRotation: true,
      // Data encrypted with the key outlives the stack (table and bucket are retained): so does the key.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // CloudWatch Logs encrypts log groups with the key itself, so it needs its own key-policy grant,
    // limited to log groups of this account and region.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsInThisAccount',
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
  }

  /**
   * Lets an AWS service encrypt data with the key on the stack's behalf (CloudWatch alarms publishing
   * to the encrypted topic, EventBridge writing to the encrypted DLQ): those calls carry no IAM role
   * of ours, so only the key policy can allow them.
   */
  allowService(sid: string, service: string, conditions?: Record<string, Record<string, unknown>>): void {
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid,
        principals: [new ServicePrincipal(service)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions,
      }),
    );
  }
}
