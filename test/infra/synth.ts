import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readConfig } from '../../lib/config';
import { OnboardingStack } from '../../lib/onboarding-stack';
import { cdkJsonContext, expiredFlagsIn } from './context';

export interface Built {
  app: App;
  stack: OnboardingStack;
}

export interface Synthesized extends Built {
  template: Template;
}

/**
 * Builds the stack the way bin/app.ts does, with cdk.json's context plus `extra`, without bundling
 * the functions (the template is the same apart from asset hashes). CloudFormation schema validation
 * is off unless asked for: it costs seconds per synth, and one test runs it.
 */
export function build(extra: Record<string, unknown> = {}, options: { validate?: boolean } = {}): Built {
  const context = cdkJsonContext();
  for (const flag of expiredFlagsIn(context)) delete context[flag];
  const app = new App({
    builtinCloudFormationValidation: options.validate ?? false,
    context: { ...context, ...extra, 'aws:cdk:bundling-stacks': [] },
  });
  const config = readConfig(app.node);
  const stack = new OnboardingStack(app, config.stackName, { stackName: config.stackName, config });
  return { app, stack };
}

/** Builds the stack (see {@link build}) and synthesizes its template. */
export function synthesize(extra: Record<string, unknown> = {}): Synthesized {
  const built = build(extra);
  return { ...built, template: Template.fromStack(built.stack) };
}

/** The logical id of a construct's CloudFormation resource, found by its path under the stack. */
export function logicalIdOf(stack: OnboardingStack, path: string): string {
  const construct = stack.node.findChild(path.split('/')[0] as string);
  const target = path
    .split('/')
    .slice(1)
    .reduce((node, id) => node.node.findChild(id), construct);
  const resource = target.node.defaultChild ?? target;
  return stack.getLogicalId(resource as never);
}

/** Resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}

/** One IAM policy statement as it appears in the template. */
export interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: unknown;
  Principal?: unknown;
  Sid?: string;
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOfStatement = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/** The statements of every inline policy attached to a role (its default policy and any other). */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
  );
  return policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
