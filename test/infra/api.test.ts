import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { beforeAll, describe, expect, it } from 'vitest';
import { reviewDecisionSchema } from '../../functions/onboarding/review';
import { DOCUMENT_TYPES, MAX_DOCUMENT_BYTES as HANDLER_MAX_DOCUMENT_BYTES } from '../../functions/store/documents';
import { WALLEX_SOURCE_IPS } from '../../lib/config';
import { addWebhookResourcePolicy } from '../../lib/constructs/api-access';
import { DOCUMENT_CONTENT_TYPES, MAX_DOCUMENT_BYTES, REVIEW_DECISIONS } from '../../lib/constructs/api-models';
import { FUNCTIONS } from './expectations';
import { describeResource } from './permissions';
import { logicalIdOf, resourcesOf, resourcesOfStatement, type Statement, type Synthesized, synthesize } from './synth';

let synth: Synthesized;
const id = (path: string) => logicalIdOf(synth.stack, path);

type Access = 'merchant' | 'operator' | 'webhook';
/** Every route: its function, who may call it and the body model API Gateway checks. */
const ROUTES: Record<string, { fn: string; access: Access; model?: string }> = {
  'POST /onboardings': { fn: 'Intake', access: 'merchant', model: 'OnboardingRequest' },
  'GET /onboardings/{id}': { fn: 'GetOnboarding', access: 'merchant' },
  'POST /onboardings/{id}/documents': { fn: 'DocumentUpload', access: 'merchant', model: 'DocumentUploadRequest' },
  'PATCH /onboardings/{id}/profile': { fn: 'ProfileUpdate', access: 'merchant', model: 'ProfileUpdate' },
  'POST /migrations/connect': { fn: 'MigrationsIntake', access: 'merchant', model: 'ConnectMigrationRequest' },
  'POST /migrations/connect/batches': { fn: 'MigrationBatches', access: 'merchant' },
  'GET /migrations/connect/batches/{batchId}': { fn: 'MigrationBatchStatus', access: 'merchant' },
  'POST /onboardings/{id}/review': { fn: 'Review', access: 'operator', model: 'ReviewDecision' },
  'POST /onboardings/{id}/retry': { fn: 'Retry', access: 'operator' },
  'POST /webhooks/straitsx/{event}': { fn: 'WebhookStraitsx', access: 'webhook' },
  'POST /webhooks/straddle': { fn: 'WebhookStraddle', access: 'webhook' },
  'POST /webhooks/wallex': { fn: 'WebhookWallex', access: 'webhook' },
};

interface DeployedMethod {
  auth: string;
  fn: string | undefined;
  validator: unknown;
  models: Record<string, unknown> | undefined;
  parameters: unknown;
}

/** The methods of the template by `METHOD /path`, the path rebuilt from the resource tree. */
function methods(): Record<string, DeployedMethod> {
  const resources = resourcesOf(synth.template, 'AWS::ApiGateway::Resource');
  const pathOf = (ref: unknown): string => {
    const parent = (ref as { Ref?: string }).Ref;
    const resource = parent ? resources[parent] : undefined;
    return resource ? `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}` : '';
  };
  const models = resourcesOf(synth.template, 'AWS::ApiGateway::Model');
  const result: Record<string, DeployedMethod> = {};
  for (const method of Object.values(resourcesOf(synth.template, 'AWS::ApiGateway::Method'))) {
    const p = method.Properties;
    const uri = JSON.stringify((p.Integration as { Uri: unknown }).Uri);
    const requestModels = p.RequestModels as Record<string, { Ref: string }> | undefined;
    result[`${p.HttpMethod} ${pathOf(p.ResourceId)}`] = {
      auth: p.AuthorizationType as string,
      fn: FUNCTIONS.find((name) => uri.includes(`"${id(name)}"`)),
      validator: p.RequestValidatorId,
      models:
        requestModels &&
        Object.fromEntries(Object.entries(requestModels).map(([type, ref]) => [type, models[ref.Ref]?.Properties.Name])),
      parameters: p.RequestParameters,
    };
  }
  return result;
}

beforeAll(() => {
  synth = synthesize();
});

describe('REST API routes', () => {
  it('are exactly the local API routes, each on its function', () => {
    const deployed = methods();
    expect(Object.keys(deployed).sort()).toEqual(Object.keys(ROUTES).sort());
    for (const [route, { fn }] of Object.entries(ROUTES)) expect(deployed[route]?.fn, route).toBe(fn);
  });

  it('require IAM signatures on merchant and operator routes, with a validator and a body model', () => {
    const deployed = methods();
    for (const [route, spec] of Object.entries(ROUTES).filter(([, r]) => r.access !== 'webhook')) {
      expect(deployed[route], route).toMatchObject({ auth: 'AWS_IAM', validator: { Ref: id('Api/Api/Validator') } });
      expect(deployed[route]?.models, route).toEqual(spec.model ? { 'application/json': spec.model } : undefined);
      if (route.includes('{id}')) expect(deployed[route]?.parameters, route).toEqual({ 'method.request.path.id': true });
    }
    synth.template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('leave webhooks unsigned, without validator or model, so the raw body reaches the function', () => {
    const deployed = methods();
    for (const route of Object.keys(ROUTES).filter((r) => ROUTES[r]?.access === 'webhook')) {
      expect(deployed[route], route).toMatchObject({ auth: 'NONE', validator: undefined, models: undefined });
    }
    const api = Object.values(resourcesOf(synth.template, 'AWS::ApiGateway::RestApi'))[0]?.Properties;
    expect(api?.BinaryMediaTypes).toBeUndefined();
  });

  it('are Lambda proxy integrations', () => {
    for (const method of Object.values(resourcesOf(synth.template, 'AWS::ApiGateway::Method'))) {
      expect((method.Properties.Integration as { Type: string }).Type).toBe('AWS_PROXY');
    }
  });
});

describe('request models', () => {
  const schemaOf = (name: string) =>
    Object.values(resourcesOf(synth.template, 'AWS::ApiGateway::Model')).find((m) => m.Properties.Name === name)?.Properties
      .Schema;

  it('check the onboarding request, with every provider', () => {
    expect(schemaOf('OnboardingRequest')).toMatchObject({
      required: ['provider', 'merchantRef', 'customer'],
      properties: { provider: { type: 'string', enum: ['straitsx', 'wallex', 'straddle'] }, customer: { type: 'object' } },
    });
  });

  it('use the handlers’ own document and review rules', () => {
    expect(DOCUMENT_CONTENT_TYPES).toEqual(Object.keys(DOCUMENT_TYPES));
    expect(MAX_DOCUMENT_BYTES).toBe(HANDLER_MAX_DOCUMENT_BYTES);
    expect(REVIEW_DECISIONS).toEqual(reviewDecisionSchema.shape.decision.options);
  });

  it('check document uploads, profile updates, review decisions and Connect migrations', () => {
    expect(schemaOf('DocumentUploadRequest')).toMatchObject({
      required: ['slot', 'contentType', 'size'],
      properties: {
        slot: { type: 'string' },
        contentType: { type: 'string', enum: ['image/png', 'image/jpeg', 'application/pdf'] },
        size: { type: 'integer', minimum: 1, maximum: 10 * 1024 * 1024 },
      },
    });
    expect(schemaOf('ProfileUpdate')).toMatchObject({ required: ['customer'], properties: { customer: { type: 'object' } } });
    expect(schemaOf('ReviewDecision')).toMatchObject({
      required: ['decision'],
      properties: { decision: { type: 'string', enum: ['verified', 'rejected'] } },
    });
    expect(schemaOf('ConnectMigrationRequest')).toMatchObject({
      required: ['merchantRef', 'userApiToken', 'customer'],
      properties: { merchantRef: { type: 'string' }, userApiToken: { type: 'string' }, customer: { type: 'object' } },
    });
  });

  it('answer a body that fails them with each route’s shape', () => {
    const [response] = Object.values(resourcesOf(synth.template, 'AWS::ApiGateway::GatewayResponse'));
    expect(response?.Properties).toMatchObject({ ResponseType: 'BAD_REQUEST_BODY', StatusCode: '400' });
    const { message } = JSON.parse(
      (response!.Properties.ResponseTemplates as Record<string, string>)['application/json'] ?? '{}',
    );
    for (const route of Object.keys(ROUTES).filter((r) => ROUTES[r]?.model)) expect(message).toContain(`${route}:`);
  });
});

describe('who may call what', () => {
  const names = () => ({ [id('Api/Api')]: 'api', [id('Api/Api/DeploymentStage.v1')]: 'v1' });
  const invokeArns = (policy: string) => {
    const props = resourcesOf(synth.template, 'AWS::IAM::ManagedPolicy')[id(`Api/${policy}`)]?.Properties ?? {};
    const [statement, ...more] = (props.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(more).toEqual([]);
    expect(statement?.Action).toBe('execute-api:Invoke');
    return resourcesOfStatement(statement as Statement).map((r) => describeResource(r, names()));
  };
  const arnsOf = (access: Access) =>
    Object.keys(ROUTES)
      .filter((route) => ROUTES[route]?.access === access)
      .map((route) => {
        const [method, path] = route.split(' ') as [string, string];
        return `arn::execute-api:::api/v1/${method}${path.replace(/\{[^}]+\}/g, '*')}`;
      });

  it('MerchantApiAccess allows the merchant routes only, OperatorApiAccess the review and retry routes only', () => {
    synth.template.resourceCountIs('AWS::IAM::ManagedPolicy', 2);
    expect(invokeArns('MerchantApiAccess').sort()).toEqual(arnsOf('merchant').sort());
    expect(invokeArns('OperatorApiAccess').sort()).toEqual(arnsOf('operator').sort());
    expect(invokeArns('MerchantApiAccess')).not.toContain('arn::execute-api:::api/v1/POST/onboardings/*/retry');
    for (const policy of Object.values(resourcesOf(synth.template, 'AWS::IAM::ManagedPolicy'))) {
      expect(policy.Properties).not.toHaveProperty('Roles');
      expect(policy.Properties).not.toHaveProperty('Users');
      expect(policy.Properties).not.toHaveProperty('Groups');
    }
  });

  it('the resource policy opens the webhooks only, and Wallex’s to its documented addresses only', () => {
    const api = Object.values(resourcesOf(synth.template, 'AWS::ApiGateway::RestApi'))[0]?.Properties;
    expect((api!.Policy as { Statement: Statement[] }).Statement).toEqual([
      {
        Sid: 'ProviderWebhooksVerifiedByTheirFunctions',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: [
          'execute-api:/*/POST/webhooks/straddle',
          'execute-api:/*/POST/webhooks/straitsx/*',
          'execute-api:/*/POST/webhooks/wallex',
        ],
      },
      {
        Sid: 'WallexWebhookFromWallexAddressesOnly',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*/POST/webhooks/wallex',
        Condition: { NotIpAddress: { 'aws:SourceIp': [...WALLEX_SOURCE_IPS] } },
      },
    ]);
  });

  it('a new list of Wallex addresses deploys the stage again (API Gateway applies a policy on deployment)', () => {
    const deploymentWith = (ips: string[]) => {
      // Without CloudFormation schema validation, as in synth.ts: it costs seconds per synth.
      const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Probe');
      const api = new RestApi(stack, 'Api', { cloudWatchRole: false });
      api.root.addMethod('GET', new MockIntegration());
      addWebhookResourcePolicy(api, ips);
      return Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'));
    };
    expect(deploymentWith(['192.0.2.1'])).toEqual(deploymentWith(['192.0.2.1']));
    expect(deploymentWith(['192.0.2.1'])).not.toEqual(deploymentWith(['192.0.2.2']));
  });
});

describe('stage', () => {
  it('is throttled, traced, and writes access logs without bodies', () => {
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
      AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [id('Api/AccessLogs'), 'Arn'] }, Format: Match.anyValue() },
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

describe('outputs', () => {
  const outputs = () => synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;

  it('name the API, access policies, webhook URLs, bus, both state machines, table, bucket and secrets', () => {
    expect(Object.keys(outputs()).sort()).toEqual(
      [
        'ApiUrl',
        'MerchantApiAccessPolicyArn',
        'OperatorApiAccessPolicyArn',
        'StraitsxWebhookUrlPattern',
        'StraddleWebhookUrl',
        'WallexWebhookUrl',
        'EventBusName',
        'StateMachineArn',
        'ConnectMigrationStateMachineArn',
        'TableName',
        'BucketName',
        'PlatformSecretArn',
        'StraitsxSecretArn',
        'WallexSecretArn',
        'StraddleSecretArn',
        'AlarmTopicArn',
      ].sort(),
    );
    expect(outputs().MerchantApiAccessPolicyArn?.Value).toEqual({ Ref: id('Api/MerchantApiAccess') });
    expect(outputs().OperatorApiAccessPolicyArn?.Value).toEqual({ Ref: id('Api/OperatorApiAccess') });
    expect(outputs().StateMachineArn?.Value).toEqual({ Ref: id('Onboarding/StateMachine') });
    expect(outputs().ConnectMigrationStateMachineArn?.Value).toEqual({ Ref: id('ConnectMigration/StateMachine') });
    expect(outputs().StraitsxSecretArn?.Value).toEqual({ Ref: id('Secrets/Provider-straitsx') });
    expect(JSON.stringify(outputs())).not.toMatch(/resolve:secretsmanager|SecretString/);
  });

  it('give the URL to register at each provider', () => {
    const url = (name: string) => describeResource(outputs()[name]?.Value, { [id('Api/Api/DeploymentStage.v1')]: 'v1' });
    expect(url('StraitsxWebhookUrlPattern')).toMatch(/^https:\/\/.+\/v1\/webhooks\/straitsx\/<event>$/);
    expect(url('StraddleWebhookUrl')).toMatch(/^https:\/\/.+\/v1\/webhooks\/straddle$/);
    expect(url('WallexWebhookUrl')).toMatch(/^https:\/\/.+\/v1\/webhooks\/wallex$/);
  });
});
