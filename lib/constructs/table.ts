import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type CfnTable, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { OPEN_INDEX } from '../../functions/store/onboardings';
import { acknowledgeOnRole } from './function';

/** Props of {@link OnboardingTable}. */
export interface OnboardingTableProps {
  /** The customer-managed key the table is encrypted with. */
  readonly key: IKey;
}

/**
 * CDK's standard KMS grants use these action wildcards; they are scoped to the one key, and the key is
 * only usable through the services and principals its policy names.
 */
const KMS_ACTION_WILDCARDS = ['kms:GenerateDataKey*', 'kms:ReEncrypt*'];

/**
 * The one DynamoDB table: onboarding records, provider-id look-ups, webhook event ids, idempotency
 * records, token cache and rate-limit buckets, all under `pk`/`sk`. Items that should vanish carry
 * `expiresAt` (epoch seconds).
 */
export class OnboardingTable extends Construct {
  /** The table itself. */
  readonly table: Table;

  constructor(scope: Construct, id: string, props: OnboardingTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      timeToLiveAttribute: 'expiresAt',
      // The state of every onboarding: never deleted with the stack, nor by a mistaken delete call.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    // Sparse: only records an execution should still be working on carry the key, so the sweeper finds
    // them without a scan. Keys only: it reads each record itself before acting.
    this.table.addGlobalSecondaryIndex({
      indexName: OPEN_INDEX.name,
      partitionKey: { name: OPEN_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: OPEN_INDEX.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }

  /** Lets a function read items. */
  grantRead(fn: IFunction): void {
    this.table.grantReadData(fn);
    this.acknowledgeIndexes(fn);
  }

  /** Lets a function read and write items (conditional writes included). */
  grantReadWrite(fn: IFunction): void {
    this.table.grantReadWriteData(fn);
    this.acknowledgeIndexes(fn);
    for (const action of KMS_ACTION_WILDCARDS) {
      acknowledgeOnRole(
        fn,
        `AwsSolutions-IAM5[Action::${action}]`,
        'Standard KMS grant for a KMS-encrypted table; limited to the one stack key.',
      );
    }
  }

  /** CDK's table grants cover the table's indexes as `<table>/index/*`: this table's own indexes only. */
  private acknowledgeIndexes(fn: IFunction): void {
    const tableId = Stack.of(this).getLogicalId(this.table.node.defaultChild as CfnTable);
    acknowledgeOnRole(
      fn,
      `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
      "The indexes of the one onboarding table (CDK's standard table grant); no other table.",
    );
  }
}
