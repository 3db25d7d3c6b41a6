import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RedriveExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { inlineNumbers } from '../../functions/onboarding/retry-policy';
import { startLocalCloud } from '../../local/cloud';

const MIGRATE_ARN = 'arn:aws:lambda:ap-southeast-1:000000000000:function:migrate';
const REPORT_ARN = 'arn:aws:lambda:ap-southeast-1:000000000000:function:report';
const BUCKET = 'batch-workflow';

/**
 * The batch ASL as written, on the local Step Functions: a stand-in child migration that fails for the
 * users it is told to, and a stand-in report step. Shows what a merchant sees of a batch with too many
 * failures: the execution fails, and a redrive of the parent migrates only the users left.
 */
describe('connect-migration-batch workflow', () => {
  it('skips users marked done, fails past the tolerated failures, and a redrive migrates only the users left', async () => {
    const cloud = await startLocalCloud({ tableName: 'batch-workflow', bucketName: BUCKET });
    const sdk = new SFNClient({});
    try {
      const items = [
        { row: 1, onboardingId: 'onb_a', skip: false },
        { row: 2, onboardingId: 'onb_b', skip: true },
        { row: 3, onboardingId: 'onb_c', skip: false },
        { row: 4, onboardingId: 'onb_d', skip: false },
      ];
      const bucket = new S3Client({});
      await bucket.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'migration-batches/b1/manifest.json', Body: JSON.stringify(items) }),
      );
      bucket.destroy();

      const failing = new Set(['onb_c']);
      const migrated: string[] = [];
      const reports: unknown[] = [];
      const child = cloud.sfn.registerStateMachine({
        name: 'connect-migration',
        definition: {
          StartAt: 'Migrate',
          States: {
            Migrate: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: MIGRATE_ARN, 'Payload.$': '$' },
              End: true,
            },
          },
        },
        taskHandlers: {
          [MIGRATE_ARN]: async (payload: unknown) => {
            const { onboardingId } = payload as { onboardingId: string };
            if (failing.has(onboardingId)) throw Object.assign(new Error('outage'), { name: 'ProviderUnavailable' });
            migrated.push(onboardingId);
            return { onboardingId };
          },
        },
      });
      const batch = cloud.sfn.registerStateMachine({
        name: 'connect-migration-batch',
        definition: JSON.parse(
          inlineNumbers(readFileSync(resolve('workflows', 'connect-migration-batch.asl.json'), 'utf8'), {
            BatchMaxConcurrency: 1,
            BatchToleratedFailurePercentage: 0,
          }),
        ) as object,
        substitutions: { ConnectMigrationStateMachineArn: child, BuildBatchReportFunctionArn: REPORT_ARN },
        taskHandlers: {
          [REPORT_ARN]: async (payload: unknown) => {
            reports.push(payload);
            return { batchId: 'b1', totals: { MIGRATED: 3, SKIPPED: 1 } };
          },
        },
      });
      const input = {
        batchId: 'b1',
        bucket: BUCKET,
        manifestKey: 'migration-batches/b1/manifest.json',
        resultsPrefix: 'migration-batches/b1/results',
      };
      const { executionArn } = await sdk.send(
        new StartExecutionCommand({ stateMachineArn: batch, name: 'b1', input: JSON.stringify(input) }),
      );

      const failed = await cloud.sfn.waitForExecution(executionArn!, 20_000);
      expect(failed.status).toBe('FAILED');
      expect(migrated).toEqual(['onb_a']);
      expect(reports).toEqual([]);

      failing.clear();
      await sdk.send(new RedriveExecutionCommand({ executionArn }));
      // The redrive runs on after the call answers: wait for the execution to close again.
      const deadline = Date.now() + 20_000;
      let done = cloud.sfn.describeExecution({ executionArn: executionArn! });
      while (done.status !== 'SUCCEEDED' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        done = cloud.sfn.describeExecution({ executionArn: executionArn! });
      }

      expect(done.status).toBe('SUCCEEDED');
      // onb_b was marked done at intake: no child ran for it, before or after the redrive.
      expect(migrated).toEqual(['onb_a', 'onb_c', 'onb_d']);
      expect(reports).toEqual([{ batchId: 'b1' }]);
      expect(JSON.parse(done.output!).report).toEqual({ totals: { MIGRATED: 3, SKIPPED: 1 } });
    } finally {
      sdk.destroy();
      await cloud.stop();
    }
  }, 60_000);
});
