import { beforeAll, describe, expect, it } from 'vitest';
import { logicalIdOf, resourcesOf, type Synthesized, synthesize } from './synth';

let synth: Synthesized;
const id = (path: string) => logicalIdOf(synth.stack, path);
const batchMachine = () =>
  resourcesOf(synth.template, 'AWS::StepFunctions::StateMachine')[id('ConnectMigrationBatch/StateMachine')]?.Properties as {
    DefinitionString: string;
    DefinitionSubstitutions: Record<string, unknown>;
  };
const runPolicy = () =>
  (
    resourcesOf(synth.template, 'AWS::IAM::Policy')[id('ConnectMigrationBatch/RunPolicy')]?.Properties as {
      PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
    }
  ).PolicyDocument.Statement;
const actions = () => runPolicy().flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

beforeAll(() => {
  synth = synthesize({ connectMigrationBatchMaxConcurrency: 7, connectMigrationBatchToleratedFailurePercentage: 3 });
});

describe('the Connect migration batch', () => {
  it('runs a Distributed Map with the concurrency and tolerated failures of the CDK context', () => {
    const map = JSON.parse(batchMachine().DefinitionString).States.MigrateUsers;
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.MaxConcurrency).toBe(7);
    expect(map.ToleratedFailurePercentage).toBe(3);
    expect(map.ItemProcessor.States.MigrateUser.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
    expect(batchMachine().DefinitionSubstitutions.ConnectMigrationStateMachineArn).toEqual({
      Ref: id('ConnectMigration/StateMachine'),
    });
  });

  it('may start and follow the child migrations, read the manifest and write results, under the batch prefix only', () => {
    expect(actions()).toEqual(
      expect.arrayContaining([
        'states:StartExecution',
        'states:DescribeExecution',
        'states:StopExecution',
        'events:PutTargets',
        'events:PutRule',
        'events:DescribeRule',
        's3:GetObject',
        's3:PutObject',
      ]),
    );
    const s3 = runPolicy().find((s) => s.Action.includes('s3:GetObject'));
    expect(JSON.stringify(s3?.Resource)).toContain('/migration-batches/*');
    expect(JSON.stringify(s3?.Resource)).not.toContain('vault/');
    const start = runPolicy().find((s) => s.Action === 'states:StartExecution');
    expect(start?.Resource).toContainEqual({ Ref: id('ConnectMigration/StateMachine') });
    const rule = runPolicy().find((s) => s.Action.includes('events:PutRule'));
    expect(JSON.stringify(rule?.Resource)).toContain('rule/StepFunctionsGetEventsForStepFunctionsExecutionRule');
  });

  it('serves POST /migrations/connect/batches and GET /migrations/connect/batches/{batchId}, IAM-signed', () => {
    const methods = Object.values(resourcesOf(synth.template, 'AWS::ApiGateway::Method')).map((m) => m.Properties);
    const resources = resourcesOf(synth.template, 'AWS::ApiGateway::Resource');
    const pathOf = (ref: unknown): string => {
      const logical = (ref as { Ref?: string }).Ref;
      const resource = logical ? resources[logical]?.Properties : undefined;
      return resource ? `${pathOf(resource.ParentId)}/${resource.PathPart}` : '';
    };
    const routes = methods.map((m) => `${m.HttpMethod} ${pathOf(m.ResourceId)} ${m.AuthorizationType}`);
    expect(routes).toContain('POST /migrations/connect/batches AWS_IAM');
    expect(routes).toContain('GET /migrations/connect/batches/{batchId} AWS_IAM');
  });

  it('notifies batch intake of manifests uploaded under migration-uploads/', () => {
    const notifications = Object.values(resourcesOf(synth.template, 'Custom::S3BucketNotifications')).map((n) =>
      JSON.stringify(n.Properties),
    );
    expect(notifications.join()).toContain('migration-uploads/');
  });
});
