import { Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  JsonSchemaType,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROVIDERS } from '../../functions/onboarding/request';

/** Props of {@link OnboardingApi}. */
export interface OnboardingApiProps {
  /** Handles `POST /onboardings`. */
  readonly intake: IFunction;
  /** Handles `GET /onboardings/{id}`. */
  readonly getOnboarding: IFunction;
  /** Retention of the access log group. */
  readonly logRetention: RetentionDays;
  /** Key the access log group is encrypted with. */
  readonly logKey: IKey;
}

/** Requests per second (steady) and burst for the whole stage: well above a merchant's onboarding rate. */
const THROTTLE = { rate: 50, burst: 100 } as const;

/**
 * The merchant's REST API. Every route uses IAM authorization (the merchant's backend signs requests
 * with SigV4), and requests are checked for shape before a function runs; the handler applies the
 * provider's full rules and names each failing field.
 */
export class OnboardingApi extends Construct {
  /** The REST API. */
  readonly api: RestApi;
  /** Access logs of the stage: who called what and the status, never request bodies. */
  readonly accessLogs: LogGroup;

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

    // One validator for all methods: each checks what its method declares (body model, required parameters).
    const validator = this.api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    const requestModel = this.api.addModel('OnboardingRequest', {
      contentType: 'application/json',
      modelName: 'OnboardingRequest',
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'OnboardingRequest',
        type: JsonSchemaType.OBJECT,
        required: ['provider', 'merchantRef', 'customer'],
        properties: {
          provider: { type: JsonSchemaType.STRING, enum: [...PROVIDERS] },
          merchantRef: { type: JsonSchemaType.STRING, minLength: 1, maxLength: 191 },
          customer: { type: JsonSchemaType.OBJECT },
        },
      },
    });
    // Gateway responses support no templating functions, so the validator's own text (which may hold
    // quotes) cannot be embedded safely: state the shape rules instead of a bare "Invalid request body".
    this.api.addGatewayResponse('BadRequestBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: {
        'application/json': JSON.stringify({
          message: `The body must be a JSON object with provider (one of: ${PROVIDERS.join(', ')}), merchantRef (1 to 191 characters) and customer (an object).`,
        }),
      },
    });

    // The stack exports the URL under a plain name (ApiUrl); drop the construct's own hashed duplicate.
    this.api.node.tryRemoveChild('Endpoint');

    const onboardings = this.api.root.addResource('onboardings');
    onboardings.addMethod('POST', new LambdaIntegration(props.intake), {
      requestValidator: validator,
      requestModels: { 'application/json': requestModel },
    });
    onboardings.addResource('{id}').addMethod('GET', new LambdaIntegration(props.getOnboarding), {
      requestValidator: validator,
      requestParameters: { 'method.request.path.id': true },
    });

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-COG4',
        reason:
          "The callers are the merchant's own backends, which sign requests with IAM (SigV4); there are no end-user logins.",
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'Every route requires an IAM-signed request and the stage is throttled; unsigned traffic is refused before any function runs.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: "AWS's policy for API Gateway's account-level logging role, kept current by AWS; it grants log writing only.",
      },
    );
  }
}
