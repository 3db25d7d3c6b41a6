import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, EventType, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { acknowledgeOnRole } from './function';

/** Props of {@link DocumentsBucket}. */
export interface DocumentsBucketProps {
  /** The customer-managed key objects are encrypted with by default. */
  readonly key: IKey;
}

/** Object-key prefix of the PII vault (see functions/store/vault.ts). */
export const VAULT_PREFIX = 'vault/';
/** Object-key prefix of the merchants' uploaded documents (see functions/store/documents.ts). */
export const DOCUMENTS_PREFIX = 'documents/';

/**
 * The bucket that holds the PII vault (`vault/`) and customers' documents (`documents/`), encrypted with
 * the stack key, with server access logs in a separate bucket.
 */
export class DocumentsBucket extends Construct {
  /** PII vault and documents. */
  readonly bucket: Bucket;
  /** Server access logs of {@link bucket}. */
  readonly accessLogs: Bucket;
  private readonly key: IKey;

  constructor(scope: Construct, id: string, props: DocumentsBucketProps) {
    super(scope, id);
    this.key = props.key;
    // Without this flag CDK grants log delivery with an ACL, which a bucket that enforces bucket-owner
    // object ownership (every new bucket) rejects at deploy time; a bucket policy works everywhere.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      // S3 server access logging can only write to buckets with S3-managed encryption.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      // One data key per bucket rather than per object: far fewer KMS calls, same protection.
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'documents-bucket/',
      lifecycleRules: [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Lets a function write objects under a prefix (for example the vault). */
  grantPut(fn: IFunction, prefix: string): void {
    // PutObject with SSE-KMS has S3 ask KMS for a data key on the caller's behalf.
    this.grantObjects(fn, prefix, 's3:PutObject', 'kms:GenerateDataKey');
  }

  /**
   * Lets a function read objects under a prefix: GetObject, which also covers HeadObject and GET URLs
   * the function presigns (the provider then reads with the function's permissions, for a few minutes).
   */
  grantRead(fn: IFunction, prefix: string): void {
    this.grantObjects(fn, prefix, 's3:GetObject', 'kms:Decrypt');
    // Without ListBucket S3 answers a missing key with 403 AccessDenied, not 404 NoSuchKey: "no such
    // batch" or "no such file" would read as a refusal. Listing is granted under the same prefix only.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }),
    );
  }

  /**
   * Invokes a function for every object created under a prefix (an S3 event notification: the function
   * receives the S3 event's `Records`). Reading what landed is granted separately.
   */
  notifyOnCreate(fn: IFunction, prefix: string): void {
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { prefix });
    // CloudFormation cannot set a notification on a bucket it also creates with its own permission
    // (a cycle), so CDK configures it with one singleton function per stack at deploy time.
    const stack = Stack.of(this);
    const configurator = stack.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    if (!configurator) return;
    // Its only other permission is s3:PutBucketNotification on this bucket.
    Validations.of(configurator).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's own deploy-time function that sets the bucket's event notifications; it runs only during deployments, and the AWS managed policy lets it write its logs.",
    });
  }

  private grantObjects(fn: IFunction, prefix: string, s3Action: string, kmsAction: string): void {
    fn.addToRolePolicy(new PolicyStatement({ actions: [s3Action], resources: [this.bucket.arnForObjects(`${prefix}*`)] }));
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [kmsAction],
        resources: [this.key.keyArn],
        // Only for S3 requests: the function cannot use the key directly.
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    acknowledgeOnRole(
      fn,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
      `Object keys under ${prefix} are made per onboarding at run time; access is limited to that prefix of this bucket.`,
    );
  }
}
