import { type PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Built, build, synthesize } from './synth';

/** One line per unacknowledged finding: rule and resource paths, so a failure says what to fix. */
function describeFindings(report: PolicyValidationPluginReport): string {
  return report.violations
    .map((v) => `${v.ruleName}: ${v.description}\n    ${v.violatingResources.map((r) => r.constructPath).join('\n    ')}`)
    .join('\n');
}

describe('AwsSolutions checks (cdk-nag)', () => {
  // One app for both: CloudFormation validation costs seconds per synth.
  let built: Built;
  beforeAll(() => {
    built = build({}, { validate: true });
  });

  it('find nothing unacknowledged with the default context', () => {
    const report = new AwsSolutionsChecks(built.app).validateScope(built.stack);
    expect(describeFindings(report)).toBe('');
    expect(report.success).toBe(true);
  });

  it('let the app synthesize as `cdk synth` does: CloudFormation validation and cdk-nag as a plugin', () => {
    Validations.of(built.app).addPlugins(new AwsSolutionsChecks(built.app));
    // Throws ValidationFailed (with the report on stderr) on any CloudFormation or cdk-nag error.
    expect(() => built.app.synth()).not.toThrow();
  }, 120_000); // CloudFormation schema validation of every resource: about 20 s alone, more on a busy machine.

  it('find nothing unacknowledged with every option set', () => {
    const { app, stack, template } = synthesize({
      stackName: 'AcmeOnboarding',
      merchantId: 'acme',
      straitsxBaseUrl: 'https://api.straitsx.com/v1',
      merchantEventSource: 'com.acme.customers',
      providerTimeoutMs: '5000',
      logRetentionDays: '90',
      alarmEmail: 'ops@example.com',
      straitsxConnectBaseUrl: 'https://www.xfers.io/api/v3',
      wallexBaseUrl: 'https://api.wallex.asia',
      straddleBaseUrl: 'https://production.straddle.com',
      documentsTimeoutSeconds: '86400',
      verificationTimeoutSeconds: '3600',
      accountTimeoutSeconds: '7200',
      wallexSourceIps: '192.0.2.10,192.0.2.11',
    });
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(describeFindings(report)).toBe('');

    // The options reach the resources they configure.
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'AcmeOnboarding-merchant' });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['com.acme.customers'] } });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'AcmeOnboarding/providers/straitsx' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { STRAITSX_BASE_URL: 'https://api.straitsx.com/v1', PROVIDER_TIMEOUT_MS: '5000' } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { MERCHANT_ID: 'acme' } } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          WALLEX_BASE_URL: 'https://api.wallex.asia',
          STRADDLE_BASE_URL: 'https://production.straddle.com',
          STRAITSX_CONNECT_BASE_URL: 'https://www.xfers.io/api/v3',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DOCUMENTS_TIMEOUT_SECONDS: '86400',
          VERIFICATION_TIMEOUT_SECONDS: '3600',
          ACCOUNT_TIMEOUT_SECONDS: '7200',
        }),
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.10', '192.0.2.11'] } } }),
        ]),
      },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});
