import { Stack, Validations } from 'aws-cdk-lib';
import type { CfnRestApi, CfnStage, Method, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { AnyPrincipal, Effect, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { descriptorOf, PROVIDERS, type ProviderName } from '../../functions/providers/registry';

/** Paths of the provider webhook routes, as the API's resource policy names them (a path parameter is `*`). */
export const WEBHOOK_PATHS = Object.fromEntries(
  PROVIDERS.map((provider) => [provider, descriptorOf(provider).webhookPath.replace(/\{\w+\}/g, '*')]),
) as Record<ProviderName, string>;

/** `execute-api:/<stage>/<method>/<path>`: the form a resource policy uses for its own API, any stage. */
const ownApi = (method: string, path: string) => `execute-api:/*/${method}${path}`;

/**
 * The API's resource policy.
 *
 * - The webhook routes carry no IAM signature (providers cannot sign SigV4), so with a resource policy
 *   in place they need an explicit Allow: anyone may reach them, and each function verifies the request
 *   on its raw body (StraitsX HMAC, Straddle Svix signature, Wallex secret header) before acting.
 * - Wallex signs nothing: `POST /webhooks/wallex` is denied to every address but Wallex's documented ones.
 * - The IAM routes get no Allow here on purpose. For a caller in this account, API Gateway lets a request
 *   through when either the caller's IAM policy or the resource policy allows it: an Allow for everyone
 *   on every path would let any principal of the account (and, with their own policy, any other
 *   account's) call the merchant and operator routes. They stay governed by the IAM policies alone
 *   ({@link createInvokePolicy}), which suffice for principals of this account; a caller in another
 *   account would need an Allow naming it here as well.
 *
 * API Gateway applies a changed resource policy only with a new deployment, so the policy's content is
 * part of the deployment's identity: a new list of addresses deploys the stage again.
 */
export function addWebhookResourcePolicy(api: RestApi, wallexSourceIps: readonly string[]): void {
  const statements = [
    new PolicyStatement({
      sid: 'ProviderWebhooksVerifiedByTheirFunctions',
      effect: Effect.ALLOW,
      principals: [new AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: Object.values(WEBHOOK_PATHS).map((path) => ownApi('POST', path)),
    }),
    new PolicyStatement({
      sid: 'WallexWebhookFromWallexAddressesOnly',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: [ownApi('POST', WEBHOOK_PATHS.wallex)],
      conditions: { NotIpAddress: { 'aws:SourceIp': [...wallexSourceIps] } },
    }),
  ];
  for (const statement of statements) api.addToResourcePolicy(statement);
  api.latestDeployment?.addToLogicalId({ resourcePolicy: statements.map((s) => s.toStatementJson()) });
}

/**
 * A customer-managed policy that allows `execute-api:Invoke` on the given methods of the deployed stage
 * and nothing else. The operator attaches it to the principals that may call those routes.
 */
export function createInvokePolicy(scope: Construct, id: string, description: string, methods: readonly Method[]): ManagedPolicy {
  const policy = new ManagedPolicy(scope, id, {
    description,
    statements: [new PolicyStatement({ actions: ['execute-api:Invoke'], resources: methods.map((m) => m.methodArn) })],
  });
  // Path parameters ({id}) appear as * in a method's ARN: each such route is acknowledged by its own ARN.
  for (const method of methods.filter((m) => m.resource.path.includes('{'))) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArnOf(method)}]`,
      reason: `The * is the {id} path parameter of ${method.httpMethod} ${method.resource.path} on this API's stage: any onboarding id, no other route or method.`,
    });
  }
  return policy;
}

/** A method's execute-api ARN as cdk-nag names it: logical ids of the API and stage, `*` for path parameters. */
function nagArnOf(method: Method): string {
  const api = method.api as RestApi;
  const stack = Stack.of(api);
  const apiId = stack.getLogicalId(api.node.defaultChild as CfnRestApi);
  const stageId = stack.getLogicalId(api.deploymentStage.node.defaultChild as CfnStage);
  const path = method.resource.path.replace(/\{[^}]*\}/g, '*');
  return `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/<${stageId}>/${method.httpMethod}${path}`;
}
