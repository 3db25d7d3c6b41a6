import { type PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { build, synthesize } from './synth';

/** One line per unacknowledged finding: rule and resource paths, so a failure says what to fix. */
function describeFindings(report: PolicyValidationPluginReport): string {
  return report.violations
    .map((v) => `${v.ruleName}: ${v.description}\n    ${v.violatingResources.map((r) => r.constructPath).join('\n    ')}`)
    .join('\n');
}

describe('AwsSolutions checks (cdk-nag)', () => {
  it('find nothing unacknowledged with the default context', () => {
    const { app, stack } = build();
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(describeFindings(report)).toBe('');
    expect(report.success).toBe(true);
  });

  it('let the app synthesize as `cdk synth` does: CloudFormation validation and cdk-nag as a plugin', () => {
    const { app } = build({}, { validate: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // Throws ValidationFailed (with the report on stderr) on any CloudFormation or cdk-nag error.
    expect(() => app.synth()).not.toThrow();
  });

  it('find nothing unacknowledged with every option set', () => {
    const { app, stack, template } = synthesize({
      stackName: 'AcmeOnboarding',
      merchantId: 'acme',
      straitsxBaseUrl: 'https://api.straitsx.com/v1',
      merchantEventSource: 'com.acme.customers',
      providerTimeoutMs: '5000',
      logRetentionDays: '90',
      alarmEmail: 'ops@example.com',
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
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});
