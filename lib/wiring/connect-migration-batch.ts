import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { BATCHES_PREFIX, UPLOADS_PREFIX } from '../../functions/flows/straitsx-connect-batch/store';
import { WORKFLOWS } from '../../manifest/workflows';
import { VAULT_PREFIX } from '../constructs/bucket';
import { acknowledgeOnRole, type OnboardingFunction } from '../constructs/function';
import { Workflow } from '../constructs/workflow';
import { makeFunction, type StackParts } from './parts';
import { placeholders, type Workflows, workflowFile } from './workflows';

/** The batch Connect migration: its state machine, its routes' functions and every function by id. */
export interface ConnectMigrationBatch {
  readonly workflow: Workflow;
  readonly routes: { readonly migrationBatches: OnboardingFunction; readonly migrationBatchStatus: OnboardingFunction };
  readonly functions: Readonly<Record<string, OnboardingFunction>>;
}

/**
 * `connect-migration-batch`: a Distributed Map over an ids-only manifest in the bucket, one child
 * execution of `connect-migration` per user, then a report. Intake reads the merchant's manifest (a
 * presigned upload, or inline), vaults each user and writes the manifest the workflow reads.
 */
export function wireConnectMigrationBatch(parts: StackParts, workflows: Workflows): ConnectMigrationBatch {
  const { stack, config, documents, encryption, table, secrets, events } = parts;
  const child = workflows.connectMigration;

  const report = makeFunction(
    parts,
    'BuildBatchReport',
    'Batch step: the report of a Connect migration batch, and its completion event',
    300,
  );
  table.grantRead(report);
  documents.grantRead(report, BATCHES_PREFIX);
  documents.grantPut(report, BATCHES_PREFIX);
  events.grantPublish(report);

  const workflow = new Workflow(stack, 'ConnectMigrationBatch', {
    definitionFile: workflowFile(WORKFLOWS.connectMigrationBatch.file),
    functions: placeholders(WORKFLOWS.connectMigrationBatch, { BuildBatchReport: report }),
    substitutions: { ConnectMigrationStateMachineArn: child.stateMachine.stateMachineArn },
    numbers: {
      BatchMaxConcurrency: config.connectMigrationBatchMaxConcurrency,
      BatchToleratedFailurePercentage: config.connectMigrationBatchToleratedFailurePercentage,
    },
    logRetention: config.logRetentionDays,
    logKey: encryption.key,
  });
  grantBatchRun(parts, workflow, child);

  // Intake vaults every row and starts the batch: the single migration's rights, plus the batch's own.
  parts.environment.CONNECT_MIGRATION_BATCH_STATE_MACHINE_ARN = workflow.stateMachine.stateMachineArn;
  const grantIntake = (fn: OnboardingFunction) => {
    table.grantReadWrite(fn);
    documents.grantPut(fn, VAULT_PREFIX);
    documents.grantRead(fn, BATCHES_PREFIX);
    documents.grantPut(fn, BATCHES_PREFIX);
    secrets.grantPlatformRead(fn);
    workflow.grantStart(fn);
  };
  const migrationBatches = makeFunction(
    parts,
    'MigrationBatches',
    'POST /migrations/connect/batches: a presigned URL for a manifest, or a small manifest inline',
    29,
  );
  grantIntake(migrationBatches);
  // Presigning a PUT needs the right to put there: the URL acts with the function's permissions.
  documents.grantPut(migrationBatches, UPLOADS_PREFIX);

  const batchUploaded = makeFunction(
    parts,
    'MigrationBatchUploaded',
    'Bucket notification for migration-uploads/: checks and vaults every row, starts the batch',
    900,
  );
  grantIntake(batchUploaded);
  documents.grantRead(batchUploaded, UPLOADS_PREFIX);
  batchUploaded.addToRolePolicy(
    new PolicyStatement({ actions: ['s3:DeleteObject'], resources: [documents.bucket.arnForObjects(`${UPLOADS_PREFIX}*`)] }),
  );
  documents.notifyOnCreate(batchUploaded, UPLOADS_PREFIX);

  const migrationBatchStatus = makeFunction(
    parts,
    'MigrationBatchStatus',
    'GET /migrations/connect/batches/{batchId}: progress and counts by outcome',
  );
  table.grantRead(migrationBatchStatus);
  documents.grantRead(migrationBatchStatus, BATCHES_PREFIX);
  // To tell a batch that failed from one still running.
  migrationBatchStatus.addToRolePolicy(
    new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [workflow.executionArns()] }),
  );
  const batchMachineId = stack.getLogicalId(workflow.stateMachine.node.defaultChild as CfnStateMachine);
  acknowledgeOnRole(
    migrationBatchStatus,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${batchMachineId}.Name>:*]`,
    'Batch executions are named after batch ids chosen at run time; access is limited to executions of the batch state machine.',
  );

  return {
    workflow,
    routes: { migrationBatches, migrationBatchStatus },
    functions: {
      BuildBatchReport: report,
      MigrationBatches: migrationBatches,
      MigrationBatchUploaded: batchUploaded,
      MigrationBatchStatus: migrationBatchStatus,
    },
  };
}

/**
 * What the batch's role needs beyond invoking its report step: start and follow the child migrations
 * (`startExecution.sync:2` waits through an EventBridge rule Step Functions manages), run its own
 * Distributed Map child workflows, read the manifest and write the results, all under the batch prefix.
 * In a policy of its own: it names the batch's own state machine, which must not depend on it.
 */
function grantBatchRun(parts: StackParts, batch: Workflow, child: Workflow): void {
  const stack = Stack.of(batch);
  const role = batch.stateMachine.role;
  const { documents, encryption } = parts;
  const policy = new Policy(batch, 'RunPolicy', {
    roles: [role],
    statements: [
      new PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [child.stateMachine.stateMachineArn, batch.stateMachine.stateMachineArn],
      }),
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [child.executionArns(), batch.executionArns()],
      }),
      new PolicyStatement({
        // A Map Run is named under its parent execution: map runs of this state machine only.
        actions: ['states:DescribeMapRun', 'states:UpdateMapRun', 'states:RedriveExecution'],
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'mapRun',
            resourceName: `${batch.stateMachine.stateMachineName}/*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
          batch.executionArns(),
        ],
      }),
      new PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
          }),
        ],
      }),
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [documents.bucket.arnForObjects(`${BATCHES_PREFIX}*`)],
      }),
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [encryption.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    ],
  });
  const logicalId = (machine: Workflow) => stack.getLogicalId(machine.stateMachine.node.defaultChild as CfnStateMachine);
  const states = 'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>';
  const bucketId = stack.getLogicalId(documents.bucket.node.defaultChild as CfnBucket);
  Validations.of(policy).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::${states}:execution:<${logicalId(child)}.Name>:*]`,
      reason: 'Child migrations are named at run time; access is limited to executions of the connect-migration state machine.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${states}:execution:<${logicalId(batch)}.Name>:*]`,
      reason: "The Distributed Map's child workflows are executions of the batch's own state machine, named at run time.",
    },
    {
      id: `AwsSolutions-IAM5[Resource::${states}:mapRun:<${logicalId(batch)}.Name>/*]`,
      reason: "Map Runs are named at run time under the batch's executions; access is limited to this state machine's.",
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${BATCHES_PREFIX}*]`,
      reason:
        'Batch folders are made per batch at run time (manifest, results); access is limited to that prefix of this bucket.',
    },
  );
}
