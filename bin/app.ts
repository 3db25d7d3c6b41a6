import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, type OnboardingConfig, readConfig } from '../lib/config';
import { OnboardingStack } from '../lib/onboarding-stack';

const app = new App();

let config: OnboardingConfig;
try {
  config = readConfig(app.node);
} catch (error) {
  // A context mistake is the operator's to fix: show the rules, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

new OnboardingStack(app, config.stackName, {
  stackName: config.stackName,
  description: 'Onboards customers onto payment providers (StraitsX, Wallex, Straddle)',
  config,
});

// Every AwsSolutions finding fails the synth unless acknowledged with a reason next to its cause.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
