import { Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  MethodLoggingLevel,
  type MethodOptions,
  type Model,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { descriptorOf, PROVIDERS, type ProviderName } from '../../functions/providers/registry';
import { addWebhookResourcePolicy, createInvokePolicy } from './api-access';
import { addRequestModels } from './api-models';

/** Props of {@link OnboardingApi}: the function behind each route. */
export interface OnboardingApiProps {
  /** `POST /onboardings`. */
  readonly intake: IFunction;
  /** `GET /onboardings/{id}`. */
  readonly getOnboarding: IFunction;
  /** `POST /onboardings/{id}/documents`. */
  readonly documents: IFunction;
  /** `PATCH /onboardings/{id}/profile`. */
  readonly profileUpdate: IFunction;
  /** `POST /migrations/connect`. */
  readonly migrationsIntake: IFunction;
  /** `POST /migrations/connect/batches`. */
  readonly migrationBatches: IFunction;
  /** `GET /migrations/connect/batches/{batchId}`. */
  readonly migrationBatchStatus: IFunction;
  /** `POST /onboardings/{id}/review` (operators). */
  readonly review: IFunction;
  /** `POST /onboardings/{id}/retry` (operators). */
  readonly retry: IFunction;
  /** Every provider's webhook route (`POST /webhooks/straitsx/{event}`, `/webhooks/straddle`, `/webhooks/wallex`). */
  readonly webhook: IFunction;
  /** The only addresses `POST /webhooks/wallex` accepts (Wallex signs nothing). */
  readonly wallexSourceIps: readonly string[];
  /** Retention of the access log group. */
  readonly logRetention: RetentionDays;
  /** Key the access log group is encrypted with. */
  readonly logKey: IKey;
}

/** The URL to register at each provider. StraitsX takes one URL per callback type, named in the path. */
export type WebhookUrls = Readonly<Record<ProviderName, string>>;

/** Requests per second (steady) and burst for the whole stage: well above a merchant's onboarding rate. */
const THROTTLE = { rate: 50, burst: 100 } as const;

/**
 * The onboarding REST API: the merchant's routes, the operators' review route and the providers' webhooks.
 *
 * Who may call what:
 * - Merchant routes (`POST /onboardings`, `GET /onboardings/{id}`, `POST /onboardings/{id}/documents`,
 *   `PATCH /onboardings/{id}/profile`, `POST /migrations/connect`) take IAM-signed (SigV4) requests
 *   from principals that hold the {@link merchantAccess} policy.
 * - The operator routes (`POST /onboardings/{id}/review`, `POST /onboardings/{id}/retry`) take IAM-signed requests from principals that hold
 *   the {@link operatorAccess} policy: attaching it is how an operator is authorised, and only those
 *   principals can verify or reject a profile. Merchant principals cannot; operators cannot call the
 *   merchant routes unless given that policy too. The operator's IAM identity is recorded on the decision.
 * - Webhook routes take unsigned requests (providers cannot sign SigV4); each function verifies the
 *   request on its raw body before acting, and `POST /webhooks/wallex` is open to Wallex's addresses only
 *   (see {@link addWebhookResourcePolicy}).
 *
 * JSON routes are checked for shape before a function runs; the handler applies the full rules and
 * names each failing field. Webhook bodies reach their functions untouched.
 */
export class OnboardingApi extends Construct {
  /** The REST API. */
  readonly api: RestApi;
  /** Access logs of the stage: who called what and the status, never request bodies. */
  readonly accessLogs: LogGroup;
  /** `execute-api:Invoke` on the merchant routes only: attach it to the merchant's backend role. */
  readonly merchantAccess: ManagedPolicy;
  /** `execute-api:Invoke` on the operator routes (review, retry) only: attach it to the operators' principals. */
  readonly operatorAccess: ManagedPolicy;
  /** What to register at each provider. */
  readonly webhookUrls: WebhookUrls;

  constructor(scope: Construct, id: string, props: OnboardingApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, encryptionKey: props.logKey });

    this.api = new RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-api`,
      description: 'Onboards customers onto payment providers',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      cloudWatchRole: true,
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: THROTTLE.rate,
        throttlingBurstLimit: THROTTLE.burst,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Data tracing would log full request bodies, that is personal data.
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });

    // One validator for all JSON methods: each checks what its method declares (body model, required parameters).
    const validator = this.api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    const models = addRequestModels(this.api);

    // The stack exports the URL under a plain name (ApiUrl); drop the construct's own hashed duplicate.
    this.api.node.tryRemoveChild('Endpoint');

    const signed = (body?: Model, withId = false): MethodOptions => ({
      requestValidator: validator,
      ...(body ? { requestModels: { 'application/json': body } } : {}),
      ...(withId ? { requestParameters: { 'method.request.path.id': true } } : {}),
    });
    const onboardings = this.api.root.addResource('onboardings');
    const onboarding = onboardings.addResource('{id}');
    const connect = this.api.root.addResource('migrations').addResource('connect');
    const batches = connect.addResource('batches');
    const merchantMethods = [
      onboardings.addMethod('POST', new LambdaIntegration(props.intake), signed(models.onboarding)),
      onboarding.addMethod('GET', new LambdaIntegration(props.getOnboarding), signed(undefined, true)),
      onboarding
        .addResource('documents')
        .addMethod('POST', new LambdaIntegration(props.documents), signed(models.documentUpload, true)),
      onboarding
        .addResource('profile')
        .addMethod('PATCH', new LambdaIntegration(props.profileUpdate), signed(models.profileUpdate, true)),
      connect.addMethod('POST', new LambdaIntegration(props.migrationsIntake), signed(models.connectMigration)),
      batches.addMethod('POST', new LambdaIntegration(props.migrationBatches), signed()),
      batches.addResource('{batchId}').addMethod('GET', new LambdaIntegration(props.migrationBatchStatus), {
        ...signed(),
        requestParameters: { 'method.request.path.batchId': true },
      }),
    ];
    const reviewMethod = onboarding
      .addResource('review')
      .addMethod('POST', new LambdaIntegration(props.review), signed(models.reviewDecision, true));
    const retryMethod = onboarding
      .addResource('retry')
      .addMethod('POST', new LambdaIntegration(props.retry), signed(undefined, true));
    const operatorMethods = [reviewMethod, retryMethod];
    for (const method of [...merchantMethods, ...operatorMethods]) acknowledgeSigned(method);

    // No model and no validator: the signature is over the raw body, which must reach the function as sent.
    const unsigned: MethodOptions = { authorizationType: AuthorizationType.NONE };
    // One route per provider, as its descriptor names it (the URL the provider knows), all to one function
    // that checks each delivery on the raw body by the provider's own rule.
    const webhookIntegration = new LambdaIntegration(props.webhook);
    const urls = {} as Record<ProviderName, string>;
    for (const provider of PROVIDERS) {
      const { webhookPath, webhookCheck } = descriptorOf(provider);
      const resource = webhookPath
        .split('/')
        .filter(Boolean)
        .reduce<IResource>((parent, part) => parent.getResource(part) ?? parent.addResource(part), this.api.root);
      acknowledgeWebhook(resource.addMethod('POST', webhookIntegration, unsigned), webhookCheck);
      urls[provider] = this.api.urlForPath(webhookPath.replace(/\{(\w+)\}/g, '<$1>'));
    }
    addWebhookResourcePolicy(this.api, props.wallexSourceIps);
    this.webhookUrls = urls;

    this.merchantAccess = createInvokePolicy(
      this,
      'MerchantApiAccess',
      "Calls the merchant routes of the onboarding API (onboardings, their documents and profile, Connect migrations); attach to the merchant's backend",
      merchantMethods,
    );
    this.operatorAccess = createInvokePolicy(
      this,
      'OperatorApiAccess',
      'Decides onboarding reviews and retries failed onboardings (POST /onboardings/{id}/review, /retry); attach to authorised operators only',
      operatorMethods,
    );

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'The stage is throttled; merchant and operator routes refuse unsigned requests before any function runs, and webhook functions check each request (HMAC, Svix signature, secret header, and Wallex source addresses in the resource policy) before acting.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: "AWS's policy for API Gateway's account-level logging role, kept current by AWS; it grants log writing only.",
      },
    );
  }
}

/** A route that requires IAM (SigV4) signatures: who may call it is set by IAM policies, not user pools. */
function acknowledgeSigned(method: Method): void {
  Validations.of(method).acknowledge({
    id: 'AwsSolutions-COG4',
    reason:
      "Callers are the merchant's backends and the operators, which sign requests with IAM (SigV4) under the MerchantApiAccess or OperatorApiAccess policy; there are no end-user logins.",
  });
}

/** A provider webhook route: the provider cannot sign SigV4, and the function verifies what arrives. */
function acknowledgeWebhook(method: Method, verification: string): void {
  const reason = `Payment providers cannot sign SigV4 or hold user-pool tokens. ${verification}; a request that fails changes nothing.`;
  Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason });
}
