import { App, Validations } from 'aws-cdk-lib';
import { ConfigError, type OnboardingConfig, readConfig } from '../lib/config';

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

// Loaded once the context passes: a refused context answers at once, without loading every construct.
const { OnboardingStack } = await import('../lib/onboarding-stack');
const { AwsSolutionsChecks } = await import('cdk-nag');

new OnboardingStack(app, config.stackName, {
  stackName: config.stackName,
  description: 'Onboards customers onto payment providers (StraitsX, Wallex, Straddle)',
  config,
});

// Every AwsSolutions finding fails the synth unless acknowledged with a reason next to its cause.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
