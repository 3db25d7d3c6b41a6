import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalIdOf, resourcesOf, type Synthesized, synthesize } from './synth';

let synth: Synthesized;
let keyId: string;
const keyArn = () => ({ 'Fn::GetAtt': [keyId, 'Arn'] });

beforeAll(() => {
  synth = synthesize();
  keyId = logicalIdOf(synth.stack, 'Encryption/Key');
});

describe('encryption key', () => {
  it('is one customer-managed key with rotation, kept when the stack goes', () => {
    synth.template.resourceCountIs('AWS::KMS::Key', 1);
    synth.template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  it('lets CloudWatch Logs, alarms and EventBridge use it, logs only for this account', () => {
    const statements = Object.values(resourcesOf(synth.template, 'AWS::KMS::Key'))[0]?.Properties.KeyPolicy as {
      Statement: { Sid?: string; Condition?: unknown }[];
    };
    const sids = statements.Statement.map((s) => s.Sid).filter(Boolean);
    expect(sids).toEqual(
      expect.arrayContaining(['AllowCloudWatchLogsInThisAccount', 'AllowCloudWatchAlarms', 'AllowEventBridgeDeadLetters']),
    );
    const logs = statements.Statement.find((s) => s.Sid === 'AllowCloudWatchLogsInThisAccount');
    expect(JSON.stringify(logs?.Condition)).toContain('kms:EncryptionContext:aws:logs:arn');
  });
});

describe('onboarding table', () => {
  it('has pk/sk string keys, on-demand billing, PITR, the stack key, TTL on expiresAt and the sparse open-records index', () => {
    synth.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'openStatus', AttributeType: 'S' },
        { AttributeName: 'updatedAt', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      // Only open records carry openStatus: the sweeper queries them by status without scanning. Keys only.
      GlobalSecondaryIndexes: [
        {
          IndexName: 'open',
          KeySchema: [
            { AttributeName: 'openStatus', KeyType: 'HASH' },
            { AttributeName: 'updatedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('is retained when the stack is deleted', () => {
    synth.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('documents bucket', () => {
  it('encrypts with the stack key and a bucket key, blocks public access, keeps versions 30 days', () => {
    const logsBucket = logicalIdOf(synth.stack, 'Documents/AccessLogs');
    synth.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn() } },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsBucket } },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' })],
        },
        CorsConfiguration: Match.absent(),
      },
    });
  });

  it('sends access logs to a separate S3-encrypted, private bucket through a bucket policy', () => {
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      AccessControl: Match.absent(),
    });
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });

  it('refuses any request without TLS, on both buckets', () => {
    const policies = Object.values(resourcesOf(synth.template, 'AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      });
    }
  });
});

describe('document uploads', () => {
  it('invoke the document-uploaded function for documents/, batch intake for migration-uploads/, nothing else', () => {
    const documentUploaded = { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'DocumentUploaded'), 'Arn'] };
    const batchUploaded = { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'MigrationBatchUploaded'), 'Arn'] };
    synth.template.resourceCountIs('Custom::S3BucketNotifications', 1);
    synth.template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalIdOf(synth.stack, 'Documents/Bucket') },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'documents/' }] } },
            LambdaFunctionArn: documentUploaded,
          },
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'migration-uploads/' }] } },
            LambdaFunctionArn: batchUploaded,
          },
        ],
        QueueConfigurations: Match.absent(),
        TopicConfigurations: Match.absent(),
      },
    });
    synth.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: documentUploaded,
      Principal: 's3.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'Documents/Bucket'), 'Arn'] },
    });
  });

  it('are configured by a deploy-time function that may change this bucket’s notifications only', () => {
    const policies = Object.values(resourcesOf(synth.template, 'AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes('BucketNotificationsHandler'),
    );
    expect(policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: unknown[] }).Statement)).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:PutBucketNotification',
        Resource: { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'Documents/Bucket'), 'Arn'] },
      },
    ]);
  });
});

describe('secrets', () => {
  const secrets = () => resourcesOf(synth.template, 'AWS::SecretsManager::Secret');

  it('has one secret per provider and the platform secret, encrypted with the stack key', () => {
    const names = Object.values(secrets()).map((s) => s.Properties.Name);
    expect(names.sort()).toEqual([
      'Onboarding/platform',
      'Onboarding/providers/straddle',
      'Onboarding/providers/straitsx',
      'Onboarding/providers/wallex',
    ]);
    for (const secret of Object.values(secrets())) expect(secret.Properties.KmsKeyId).toEqual(keyArn());
  });

  it('has values generated by Secrets Manager, never written in the template', () => {
    for (const secret of Object.values(secrets())) {
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.GenerateSecretString).toBeDefined();
    }
    synth.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'Onboarding/platform',
      GenerateSecretString: {
        SecretStringTemplate: '{}',
        GenerateStringKey: 'idKey',
        PasswordLength: 48,
        ExcludePunctuation: true,
      },
    });
    expect(JSON.stringify(synth.template.toJSON())).not.toContain('resolve:secretsmanager');
  });

  it('reaches functions as *_SECRET_ARN references only', () => {
    const secretIds = new Set(Object.keys(secrets()));
    const functions = resourcesOf(synth.template, 'AWS::Lambda::Function');
    const seen: string[] = [];
    for (const [fnId, fn] of Object.entries(functions)) {
      const variables = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      for (const [name, value] of Object.entries(variables)) {
        const refs = [...JSON.stringify(value).matchAll(/"Ref":"([^"]+)"/g)].map((m) => m[1] as string);
        if (!refs.some((ref) => secretIds.has(ref))) continue;
        expect(name, `${fnId}.${name}`).toMatch(/_SECRET_ARN$/);
        expect(value, `${fnId}.${name} must be the secret ARN itself`).toEqual({ Ref: refs[0] });
        seen.push(name);
      }
    }
    expect(new Set(seen)).toEqual(
      new Set(['PLATFORM_SECRET_ARN', 'STRAITSX_SECRET_ARN', 'WALLEX_SECRET_ARN', 'STRADDLE_SECRET_ARN']),
    );
  });
});
