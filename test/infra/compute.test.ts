import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalIdOf, resourcesOf, type Synthesized, synthesize } from './synth';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

let synth: Synthesized;
const FUNCTIONS = ['Intake', 'GetOnboarding', 'CreateProfile', 'CreateVirtualAccount', 'Finish'] as const;
const fnId = (name: string) => logicalIdOf(synth.stack, name);
const fnArn = (name: string) => ({ 'Fn::GetAtt': [fnId(name), 'Arn'] });

function fnProps(name: string): Record<string, unknown> {
  return resourcesOf(synth.template, 'AWS::Lambda::Function')[fnId(name)]?.Properties as Record<string, unknown>;
}

function envOf(name: string): Record<string, unknown> {
  return (fnProps(name).Environment as { Variables: Record<string, unknown> }).Variables;
}

/** The statements of the inline policy attached to a role. */
function statementsOfRole(roleId: string): Statement[] {
  const policies = Object.values(resourcesOf(synth.template, 'AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
  );
  return policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

beforeAll(() => {
  synth = synthesize();
});

describe('functions', () => {
  it('are exactly the five handlers', () => {
    synth.template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
  });

  it.each(FUNCTIONS)('%s runs Node.js 24 on ARM with 512 MB, 30 s, active tracing and ESM source maps', (name) => {
    expect(fnProps(name)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
    });
    expect(envOf(name)).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'onboarding',
      POWERTOOLS_METRICS_NAMESPACE: 'Onboarding',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      TABLE_NAME: { Ref: logicalIdOf(synth.stack, 'Onboardings/Table') },
    });
  });

  it.each(FUNCTIONS)('%s logs to its own encrypted log group with the configured retention', (name) => {
    const logGroupId = logicalIdOf(synth.stack, `${name}Logs`);
    expect(fnProps(name).LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
    synth.template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'Encryption/Key'), 'Arn'] },
    });
    const logGroup = resourcesOf(synth.template, 'AWS::Logs::LogGroup')[logGroupId];
    expect(logGroup?.Properties.RetentionInDays).toBe(30);
  });

  it.each(FUNCTIONS)('%s has no AWS managed policy and writes only to its own log group', (name) => {
    const roleId = logicalIdOf(synth.stack, `${name}Role`);
    const role = resourcesOf(synth.template, 'AWS::IAM::Role')[roleId];
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    const logWrites = statementsOfRole(roleId).filter((s) => actionsOf(s).includes('logs:PutLogEvents'));
    expect(logWrites.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [logicalIdOf(synth.stack, `${name}Logs`), 'Arn'] }]);
  });

  it('gives each function the configuration it reads', () => {
    expect(Object.keys(envOf('Intake'))).toEqual(
      expect.arrayContaining(['BUCKET_NAME', 'STATE_MACHINE_ARN', 'PLATFORM_SECRET_ARN', 'MERCHANT_ID', 'EVENT_BUS_NAME']),
    );
    for (const step of ['CreateProfile', 'CreateVirtualAccount']) {
      expect(envOf(step)).toMatchObject({
        STRAITSX_BASE_URL: 'https://api-sandbox.straitsx.com/v1',
        PROVIDER_TIMEOUT_MS: '10000',
        STRAITSX_SECRET_ARN: expect.anything(),
        WALLEX_SECRET_ARN: expect.anything(),
        STRADDLE_SECRET_ARN: expect.anything(),
        BUCKET_NAME: expect.anything(),
      });
    }
    expect(Object.keys(envOf('Finish'))).toContain('EVENT_BUS_NAME');
    expect(Object.keys(envOf('GetOnboarding')).sort()).toEqual(
      ['NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'].sort(),
    );
  });

  it('lets only intake start executions, and only of the onboarding state machine', () => {
    const stateMachineId = logicalIdOf(synth.stack, 'Onboarding/StateMachine');
    for (const name of FUNCTIONS) {
      const starts = statementsOfRole(logicalIdOf(synth.stack, `${name}Role`)).filter((s) =>
        actionsOf(s).includes('states:StartExecution'),
      );
      expect(starts.map((s) => s.Resource)).toEqual(name === 'Intake' ? [{ Ref: stateMachineId }] : []);
    }
  });

  it('publishes on the bus under the stack source only', () => {
    const busArn = { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'Events/Bus'), 'Arn'] };
    for (const name of ['Intake', 'Finish']) {
      const puts = statementsOfRole(logicalIdOf(synth.stack, `${name}Role`)).filter((s) =>
        actionsOf(s).includes('events:PutEvents'),
      );
      expect(puts).toEqual([
        expect.objectContaining({
          Resource: busArn,
          Condition: {
            'ForAllValues:StringEquals': { 'events:source': ['onboarding.orchestrator'] },
            Null: { 'events:source': 'false' },
          },
        }),
      ]);
    }
  });
});

describe('onboarding state machine', () => {
  const stateMachine = () => Object.values(resourcesOf(synth.template, 'AWS::StepFunctions::StateMachine'))[0]?.Properties ?? {};

  it('is the inline ASL file with the three step functions substituted', () => {
    synth.template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const file = fileURLToPath(new URL('../../workflows/onboarding.asl.json', import.meta.url));
    expect(stateMachine().DefinitionString).toBe(readFileSync(file, 'utf8'));
    expect(stateMachine().DefinitionSubstitutions).toEqual({
      CreateProfileFunctionArn: fnArn('CreateProfile'),
      CreateVirtualAccountFunctionArn: fnArn('CreateVirtualAccount'),
      FinishFunctionArn: fnArn('Finish'),
    });
  });

  it('is STANDARD, traced, and logs errors without execution data', () => {
    expect(stateMachine()).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
    });
  });

  it('can invoke exactly the three step functions, and nothing else', () => {
    const roleId = (stateMachine().RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const invokes = statementsOfRole(roleId).filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    expect(invokes).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [fnArn('CreateProfile'), fnArn('CreateVirtualAccount'), fnArn('Finish')],
      },
    ]);
    expect(JSON.stringify(invokes)).not.toContain('*');
  });
});

describe('REST API', () => {
  it('requires IAM signatures and a request validator on every method', () => {
    const methods = Object.values(resourcesOf(synth.template, 'AWS::ApiGateway::Method'));
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'POST']);
    for (const method of methods) {
      expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
      expect(method.Properties.RequestValidatorId).toBeDefined();
      expect((method.Properties.Integration as { Type: string }).Type).toBe('AWS_PROXY');
    }
    synth.template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('checks the POST body against the request model and requires the GET id', () => {
    synth.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestModels: { 'application/json': Match.anyValue() },
      Integration: { Uri: { 'Fn::Join': ['', Match.arrayWith([fnArn('Intake')])] } },
    });
    synth.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestParameters: { 'method.request.path.id': true },
      Integration: { Uri: { 'Fn::Join': ['', Match.arrayWith([fnArn('GetOnboarding')])] } },
    });
    synth.template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: {
        type: 'object',
        required: ['provider', 'merchantRef', 'customer'],
        properties: {
          provider: { type: 'string', enum: ['straitsx'] },
          merchantRef: { type: 'string' },
          customer: { type: 'object' },
        },
      },
    });
  });

  it('throttles the stage, traces it and writes access logs without bodies', () => {
    synth.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          DataTraceEnabled: false,
          MetricsEnabled: true,
        }),
      ],
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'Api/AccessLogs'), 'Arn'] },
        Format: Match.anyValue(),
      },
    });
    const [stage] = Object.values(resourcesOf(synth.template, 'AWS::ApiGateway::Stage'));
    const format = JSON.parse((stage!.Properties.AccessLogSetting as { Format: string }).Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      httpMethod: '$context.httpMethod',
    });
    expect(JSON.stringify(format)).not.toMatch(/\$input|requestBody|\$context\.authorizer/);
  });
});

describe('merchant events', () => {
  it('routes only the merchant source request events to intake, with retries and a DLQ', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalIdOf(synth.stack, 'Events/Bus') },
      EventPattern: { source: ['merchant.platform'], 'detail-type': ['Customer Onboarding Requested'] },
      Targets: [
        Match.objectLike({
          Arn: fnArn('Intake'),
          RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'Events/DeadLetters'), 'Arn'] } },
        }),
      ],
    });
    const rules = Object.values(resourcesOf(synth.template, 'AWS::Events::Rule'));
    expect(JSON.stringify(rules)).not.toContain('onboarding.orchestrator');
  });

  it('sends requests intake failed on, after Lambda retries, to the same DLQ', () => {
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId('Intake') },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'Events/DeadLetters'), 'Arn'] } },
      },
    });
  });

  it('names the bus after the stack', () => {
    synth.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'Onboarding-merchant' });
  });

  it('keeps the dead letters encrypted with the stack key and refuses requests without TLS', () => {
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'Encryption/Key'), 'Arn'] },
    });
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

  it('watch failed and timed-out executions, each function, the DLQ and API 5XX', () => {
    const metrics = alarms().map((a) => `${a.Namespace}/${a.MetricName}`);
    expect(metrics.sort()).toEqual(
      [
        'AWS/States/ExecutionsFailed',
        'AWS/States/ExecutionsTimedOut',
        ...FUNCTIONS.map(() => 'AWS/Lambda/Errors'),
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        'AWS/ApiGateway/5XXError',
      ].sort(),
    );
    const watchedFunctions = alarms()
      .filter((a) => a.MetricName === 'Errors')
      .map((a) => (a.Dimensions as { Value: unknown }[])[0]?.Value);
    expect(watchedFunctions).toEqual(expect.arrayContaining(FUNCTIONS.map((name) => ({ Ref: fnId(name) }))));
  });

  it('fire on the first occurrence and notify the encrypted alarm topic', () => {
    const topicId = logicalIdOf(synth.stack, 'Monitoring/Alarms');
    for (const alarm of alarms()) {
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: topicId }],
      });
    }
    synth.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(synth.stack, 'Encryption/Key'), 'Arn'] },
    });
    synth.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('outputs', () => {
  it('name the API, bus, state machine, table, bucket and every secret (ARNs, never values)', () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'EventBusName',
        'StateMachineArn',
        'TableName',
        'BucketName',
        'PlatformSecretArn',
        'StraitsxSecretArn',
        'WallexSecretArn',
        'StraddleSecretArn',
      ]),
    );
    expect(outputs.StraitsxSecretArn?.Value).toEqual({ Ref: logicalIdOf(synth.stack, 'Secrets/Provider-straitsx') });
    expect(JSON.stringify(outputs)).not.toMatch(/resolve:secretsmanager|SecretString/);
  });
});
