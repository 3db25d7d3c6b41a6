import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { inlineNumbers, providerRetryPolicy, retryPlaceholders } from '../../functions/onboarding/retry-policy';
import { ONBOARDING_EXECUTION_TIMEOUT_SECONDS } from '../../lib/config';
import { OnboardingFunction } from '../../lib/constructs/function';
import { COMMON_ENV, ENV, FUNCTIONS, HANDLERS, PERMISSIONS } from './expectations';
import { permissionsOf } from './permissions';
import { actionsOf, logicalIdOf, resourcesOf, type Synthesized, statementsOfRole, synthesize } from './synth';

let synth: Synthesized;
const id = (path: string) => logicalIdOf(synth.stack, path);
const fnProps = (name: string) =>
  resourcesOf(synth.template, 'AWS::Lambda::Function')[id(name)]?.Properties as Record<string, unknown>;
const envOf = (name: string) => (fnProps(name).Environment as { Variables: Record<string, unknown> }).Variables;

let names: Record<string, string>;

beforeAll(() => {
  synth = synthesize();
  names = {
    [id('Onboardings/Table')]: 'table',
    [id('Documents/Bucket')]: 'bucket',
    [id('Secrets/Platform')]: 'secret:platform',
    [id('Secrets/Provider-straitsx')]: 'secret:straitsx',
    [id('Secrets/Provider-wallex')]: 'secret:wallex',
    [id('Secrets/Provider-straddle')]: 'secret:straddle',
    [id('Events/Bus')]: 'bus',
    [id('Events/DeadLetters')]: 'dlq',
    [id('Onboarding/StateMachine')]: 'onboarding',
    [id('ConnectMigration/StateMachine')]: 'connect-migration',
    [id('ConnectMigrationBatch/StateMachine')]: 'connect-migration-batch',
  };
});

describe('functions', () => {
  it('are one per entry point in functions/handlers, plus CDK’s bucket-notification configurator', () => {
    const dir = fileURLToPath(new URL('../../functions/handlers/', import.meta.url));
    const entries = readdirSync(dir).map((file) => file.replace(/\.ts$/, ''));
    const built = synth.stack.node.children.filter((c): c is OnboardingFunction => c instanceof OnboardingFunction);
    expect(Object.fromEntries(built.map((fn) => [fn.node.id, fn.handlerName]))).toEqual(HANDLERS);
    expect(Object.values(HANDLERS).sort()).toEqual(entries.sort());
    synth.template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length + 1);
  });

  it('each get an asset of their own: CDK must not hand one bundle to every function', () => {
    const codeKeys = FUNCTIONS.map((name) => JSON.stringify(synth.template.toJSON().Resources[id(name)].Properties.Code));
    expect(new Set(codeKeys).size).toBe(FUNCTIONS.length);
  });

  // Workflow steps chain provider calls under the shared rate budget; the sweeper looks at every open
  // onboarding; everything else answers an API call (API Gateway waits 29 s) or a notification.
  const WORKFLOW_STEPS: readonly string[] = [
    'CreateProfile',
    'SubmitDetails',
    'UploadDocument',
    'StartScreening',
    'CreateVirtualAccount',
    'CheckStatus',
    'WaitFor',
    'Finish',
    'MigrateAccount',
    'FinishMigration',
  ];

  // The sweeper, the batch report (reads every user's record) and batch intake (checks and vaults every row).
  const LONG_RUNNING: Partial<Record<string, number>> = { Sweeper: 300, BuildBatchReport: 300, MigrationBatchUploaded: 900 };

  it.each(FUNCTIONS)(
    '%s runs Node.js 24 on ARM, 512 MB, traced, logging to its own encrypted log group, with its timeout',
    (name) => {
      expect(fnProps(name)).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: WORKFLOW_STEPS.includes(name) ? 90 : (LONG_RUNNING[name] ?? 29),
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: id(`${name}Logs`) } },
      });
      const logGroup = resourcesOf(synth.template, 'AWS::Logs::LogGroup')[id(`${name}Logs`)];
      expect(logGroup?.Properties).toMatchObject({
        RetentionInDays: 30,
        KmsKeyId: { 'Fn::GetAtt': [id('Encryption/Key'), 'Arn'] },
      });
    },
  );

  it.each(FUNCTIONS)('%s gets exactly the configuration it reads, names and ARNs only', (name) => {
    const env = envOf(name);
    expect(Object.keys(env).sort()).toEqual([...COMMON_ENV, ...ENV[name]].sort());
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'onboarding',
      POWERTOOLS_METRICS_NAMESPACE: 'Onboarding',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      TABLE_NAME: { Ref: id('Onboardings/Table') },
    });
    for (const [key, value] of Object.entries(env)) {
      // The ARN of the matching secret itself: never a value, never a dynamic reference.
      if (key === 'PLATFORM_SECRET_ARN') expect(value).toEqual({ Ref: id('Secrets/Platform') });
      const provider = /^(STRAITSX|WALLEX|STRADDLE)_SECRET_ARN$/.exec(key)?.[1]?.toLowerCase();
      if (provider) expect(value, key).toEqual({ Ref: id(`Secrets/Provider-${provider}`) });
      if (key === 'BUCKET_NAME') expect(value).toEqual({ Ref: id('Documents/Bucket') });
      if (key === 'EVENT_BUS_NAME') expect(value).toEqual({ Ref: id('Events/Bus') });
    }
  });

  it('passes the configured provider URLs, timeouts and state machines', () => {
    expect(envOf('CreateProfile')).toMatchObject({
      STRAITSX_BASE_URL: 'https://api-sandbox.straitsx.com/v1',
      WALLEX_BASE_URL: 'https://api-demo.wallex.asia',
      STRADDLE_BASE_URL: 'https://sandbox.straddle.com',
      PROVIDER_TIMEOUT_MS: '10000',
    });
    expect(envOf('MigrateAccount')).toMatchObject({ STRAITSX_CONNECT_BASE_URL: 'https://sandbox.xfers.io/api/v3' });
    expect(envOf('Intake')).toMatchObject({
      STATE_MACHINE_ARN: { Ref: id('Onboarding/StateMachine') },
      MERCHANT_ID: 'default',
      DOCUMENTS_TIMEOUT_SECONDS: '604800',
      VERIFICATION_TIMEOUT_SECONDS: '259200',
      ACCOUNT_TIMEOUT_SECONDS: '259200',
    });
    expect(envOf('MigrationsIntake')).toMatchObject({
      CONNECT_MIGRATION_STATE_MACHINE_ARN: { Ref: id('ConnectMigration/StateMachine') },
    });
  });

  it.each(FUNCTIONS)('%s may do exactly what it needs', (name) => {
    expect(permissionsOf(synth.template, id(`${name}Role`), names)).toEqual([...new Set(PERMISSIONS[name])].sort());
  });

  it.each(FUNCTIONS)('%s has no AWS managed policy, writes only its own logs and uses only the stack key', (name) => {
    const roleId = id(`${name}Role`);
    expect(resourcesOf(synth.template, 'AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = statementsOfRole(synth.template, roleId);
    const logWrites = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    expect(logWrites.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [id(`${name}Logs`), 'Arn'] }]);
    for (const s of statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))) {
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [id('Encryption/Key'), 'Arn'] });
    }
    const unscoped = statements.filter((s) => s.Resource === '*');
    expect(unscoped.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('resumes waiting executions only from the functions that must, on the onboarding state machine only', () => {
    const resumers = FUNCTIONS.filter((name) => PERMISSIONS[name].some((p) => p.startsWith('states:SendTaskSuccess')));
    expect(resumers.sort()).toEqual(
      [
        'CheckStatus',
        'CreateProfile',
        'SubmitDetails',
        'UploadDocument',
        'StartScreening',
        'CreateVirtualAccount',
        'DocumentUploaded',
        'Review',
        'Sweeper',
        'WaitFor',
        'Webhook',
      ].sort(),
    );
    const taskCalls = Object.values(resourcesOf(synth.template, 'AWS::IAM::Policy'))
      .flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
      )
      .filter((s) => JSON.stringify(s.Action).includes('states:SendTask'));
    expect(taskCalls).toHaveLength(resumers.length);
    for (const s of taskCalls)
      expect(s).toMatchObject({ Action: 'states:SendTaskSuccess', Resource: { Ref: id('Onboarding/StateMachine') } });
  });

  it('publishes on the bus under the stack source only', () => {
    const puts = Object.values(resourcesOf(synth.template, 'AWS::IAM::Policy'))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: { Action: unknown; Condition?: unknown }[] }).Statement)
      .filter((s) => JSON.stringify(s.Action).includes('events:PutEvents'));
    expect(puts.length).toBe(FUNCTIONS.filter((name) => PERMISSIONS[name].includes('events:PutEvents bus')).length);
    for (const put of puts) {
      expect(put.Condition).toEqual({
        'ForAllValues:StringEquals': { 'events:source': ['onboarding.orchestrator'] },
        Null: { 'events:source': 'false' },
      });
    }
  });

  it('uses the key for objects through S3 only: reads decrypt, writes get data keys', () => {
    for (const name of FUNCTIONS) {
      const statements = statementsOfRole(synth.template, id(`${name}Role`));
      const objectActions = new Set(statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:')));
      const viaS3 = statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes('kms:ViaService'));
      const expected = [
        ...(objectActions.has('s3:GetObject') ? ['kms:Decrypt'] : []),
        ...(objectActions.has('s3:PutObject') ? ['kms:GenerateDataKey'] : []),
      ];
      expect(viaS3.flatMap(actionsOf).sort(), name).toEqual(expected.sort());
      for (const s of viaS3) expect(JSON.stringify(s.Condition)).toContain('"s3.');
    }
  });
});

describe('state machines', () => {
  const stateMachine = (name: string) =>
    resourcesOf(synth.template, 'AWS::StepFunctions::StateMachine')[id(`${name}/StateMachine`)]?.Properties ?? {};
  const fnArn = (name: string) => ({ 'Fn::GetAtt': [id(name), 'Arn'] });
  const WORKFLOWS = {
    Onboarding: {
      file: 'onboarding',
      functions: {
        CreateProfileFunctionArn: 'CreateProfile',
        SubmitDetailsFunctionArn: 'SubmitDetails',
        UploadDocumentFunctionArn: 'UploadDocument',
        StartScreeningFunctionArn: 'StartScreening',
        CreateVirtualAccountFunctionArn: 'CreateVirtualAccount',
        FinishFunctionArn: 'Finish',
        WaitForFunctionArn: 'WaitFor',
        CheckStatusFunctionArn: 'CheckStatus',
      },
    },
    ConnectMigration: {
      file: 'connect-migration',
      functions: {
        CreateProfileFunctionArn: 'CreateProfile',
        MigrateAccountFunctionArn: 'MigrateAccount',
        FinishMigrationFunctionArn: 'FinishMigration',
      },
    },
  } as const;

  it('are the two workflows and the batch migration', () => {
    synth.template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
  });

  it.each(Object.entries(WORKFLOWS))(
    '%s is its inline ASL file with each placeholder substituted by its function',
    (name, workflow) => {
      const file = fileURLToPath(new URL(`../../workflows/${workflow.file}.asl.json`, import.meta.url));
      // The file as written, with the default retry policy's numbers in place of its numeric placeholders.
      const definition = inlineNumbers(readFileSync(file, 'utf8'), retryPlaceholders(providerRetryPolicy()));
      expect(stateMachine(name).DefinitionString).toBe(definition);
      const placeholders = [...new Set([...definition.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();
      expect(Object.keys(workflow.functions).sort()).toEqual(placeholders);
      expect(stateMachine(name).DefinitionSubstitutions).toEqual(
        Object.fromEntries(Object.entries(workflow.functions).map(([placeholder, fn]) => [placeholder, fnArn(fn)])),
      );
    },
  );

  it.each(Object.entries(WORKFLOWS))(
    '%s may invoke exactly its functions, and call nothing else but logs and X-Ray',
    (name, workflow) => {
      const roleId = (stateMachine(name).RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = statementsOfRole(synth.template, roleId);
      const invokes = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
      expect(invokes).toHaveLength(1);
      expect(invokes[0]?.Action).toBe('lambda:InvokeFunction');
      const targets = [...new Set(Object.values(workflow.functions))].map(fnArn);
      expect(new Set((invokes[0]!.Resource as unknown[]).map((r) => JSON.stringify(r)))).toEqual(
        new Set(targets.map((t) => JSON.stringify(t))),
      );
      // .waitForTaskToken needs nothing beyond lambda:InvokeFunction: the functions resume with SendTaskSuccess.
      const others = statements.filter((s) => s !== invokes[0]).flatMap(actionsOf);
      expect(others.every((a) => a.startsWith('logs:') || a.startsWith('xray:'))).toBe(true);
    },
  );

  it.each(Object.keys(WORKFLOWS))('%s is STANDARD, traced, and logs errors without execution data', (name) => {
    expect(stateMachine(name)).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
    });
  });

  it('has the execution limit lib/config.ts checks the waits against', () => {
    const definition = JSON.parse(stateMachine('Onboarding').DefinitionString as string) as { TimeoutSeconds: number };
    expect(definition.TimeoutSeconds).toBe(ONBOARDING_EXECUTION_TIMEOUT_SECONDS);
  });
});

describe('merchant events', () => {
  const dlqArn = () => ({ 'Fn::GetAtt': [id('Events/DeadLetters'), 'Arn'] });

  it('routes only the merchant source request events to intake, with retries and a DLQ', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: id('Events/Bus') },
      EventPattern: { source: ['merchant.platform'], 'detail-type': ['Customer Onboarding Requested'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [id('Intake'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
          DeadLetterConfig: { Arn: dlqArn() },
        }),
      ],
    });
    expect(JSON.stringify(resourcesOf(synth.template, 'AWS::Events::Rule'))).not.toContain('onboarding.orchestrator');
  });

  it('sends requests intake failed on, after Lambda retries, to the same DLQ', () => {
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id('Intake') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: dlqArn() } },
    });
  });

  it('names the bus after the stack and keeps dead letters encrypted, refusing requests without TLS', () => {
    synth.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'Onboarding-merchant' });
    synth.template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [id('Encryption/Key'), 'Arn'] } });
    synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(resourcesOf(synth.template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);

  it('watch failed and timed-out executions of both workflows, every function, the DLQ and API 5XX', () => {
    const metrics = alarms().map((a) => `${a.Namespace}/${a.MetricName}`);
    expect(metrics.sort()).toEqual(
      [
        ...['Onboarding', 'ConnectMigration', 'ConnectMigrationBatch'].flatMap(() => [
          'AWS/States/ExecutionsFailed',
          'AWS/States/ExecutionsTimedOut',
        ]),
        ...FUNCTIONS.map(() => 'AWS/Lambda/Errors'),
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        'AWS/ApiGateway/5XXError',
        // The sweeper's: onboardings left FAILED at the redrive cap, and the oldest overdue wait.
        'Onboarding/OnboardingsPastRedriveCap',
        'Onboarding/OldestOverdueWaitSeconds',
      ].sort(),
    );
    const dimension = (metric: string) =>
      alarms()
        .filter((a) => a.MetricName === metric)
        .map((a) => JSON.stringify((a.Dimensions as { Value: unknown }[])[0]?.Value));
    expect(dimension('Errors').sort()).toEqual(FUNCTIONS.map((name) => JSON.stringify({ Ref: id(name) })).sort());
    const stateMachines = ['Onboarding', 'ConnectMigration', 'ConnectMigrationBatch'].map((name) =>
      JSON.stringify({ Ref: id(`${name}/StateMachine`) }),
    );
    expect(dimension('ExecutionsFailed').sort()).toEqual(stateMachines.sort());
    expect(dimension('ExecutionsTimedOut').sort()).toEqual(stateMachines.sort());
  });

  it('fire on the first occurrence (an overdue wait: an hour past its timeout) and notify the encrypted alarm topic', () => {
    for (const alarm of alarms()) {
      expect(alarm).toMatchObject({
        Threshold: alarm.MetricName === 'OldestOverdueWaitSeconds' ? 3600 : 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: id('Monitoring/Alarms') }],
      });
    }
    synth.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [id('Encryption/Key'), 'Arn'] } });
    synth.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
