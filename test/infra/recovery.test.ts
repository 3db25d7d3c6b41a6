import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { providerRetryPolicy } from '../../functions/onboarding/retry-policy';
import { FUNCTIONS, PERMISSIONS } from './expectations';
import { actionsOf, logicalIdOf, resourcesOf, type Synthesized, statementsOfRole, synthesize } from './synth';

let synth: Synthesized;
const id = (path: string) => logicalIdOf(synth.stack, path);
const machines = () => [id('Onboarding/StateMachine'), id('ConnectMigration/StateMachine')];

beforeAll(() => {
  synth = synthesize();
});

describe('recovery of failed and stranded onboardings', () => {
  it("sends Step Functions' status changes of this stack's two state machines only to the status function", () => {
    const rule = resourcesOf(synth.template, 'AWS::Events::Rule')[id('Recovery/ExecutionStatusChanged')]!.Properties;
    // On the default bus, where Step Functions puts its events.
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        stateMachineArn: machines().map((machine) => ({ Ref: machine })),
        status: ['FAILED', 'TIMED_OUT', 'ABORTED', 'RUNNING'],
      },
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [id('ExecutionStatus'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
      }),
    ]);
  });

  it('runs the sweeper every five minutes by default, and as often as the context says', () => {
    const schedule = (template: Synthesized['template'], stack: Synthesized['stack']) =>
      resourcesOf(template, 'AWS::Events::Rule')[logicalIdOf(stack, 'Recovery/Sweep')]!.Properties;
    expect(schedule(synth.template, synth.stack)).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': [id('Sweeper'), 'Arn'] } })],
    });
    const other = synthesize({ sweepIntervalMinutes: '15', redriveCap: '5', redriveDelaySeconds: '60' });
    expect(schedule(other.template, other.stack).ScheduleExpression).toBe('rate(15 minutes)');
    other.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REDRIVE_CAP: '5', REDRIVE_DELAY_SECONDS: '60' }) },
    });
  });

  it('lets only the sweeper and the retry route redrive, on the executions of exactly these machines', () => {
    const redrivers = FUNCTIONS.filter((name) =>
      statementsOfRole(synth.template, id(`${name}Role`)).some((s) => actionsOf(s).includes('states:RedriveExecution')),
    );
    expect(redrivers.sort()).toEqual(['Retry', 'Sweeper']);
    for (const name of redrivers) {
      const redrive = statementsOfRole(synth.template, id(`${name}Role`)).filter((s) =>
        actionsOf(s).includes('states:RedriveExecution'),
      );
      const resources = JSON.stringify(redrive.map((s) => s.Resource));
      // arn:...:execution:<machine name>:*, never the state machine's own ARN (where redrive does nothing).
      for (const machine of machines()) expect(resources).toContain(`{"Fn::GetAtt":["${machine}","Name"]},":*"`);
      expect(resources).not.toContain(`{"Ref":"${machines()[0]}"}`);
      expect(PERMISSIONS[name]).toEqual(
        expect.arrayContaining([
          'states:StartExecution onboarding',
          'states:StartExecution connect-migration',
          'states:RedriveExecution arn::states:::execution:onboarding.Name:*',
          'states:RedriveExecution arn::states:::execution:connect-migration.Name:*',
        ]),
      );
    }
  });

  it('alarms when onboardings stay FAILED at the redrive cap and when a wait is overdue, on the metrics the sweeper emits', () => {
    const alarm = (path: string) => resourcesOf(synth.template, 'AWS::CloudWatch::Alarm')[id(path)]!.Properties;
    expect(alarm('Monitoring/RedriveCapReached')).toMatchObject({
      Namespace: 'Onboarding',
      MetricName: 'OnboardingsPastRedriveCap',
      Dimensions: [{ Name: 'service', Value: 'onboarding' }],
      Statistic: 'Maximum',
      Threshold: 1,
    });
    expect(alarm('Monitoring/OverdueWait')).toMatchObject({
      Namespace: 'Onboarding',
      MetricName: 'OldestOverdueWaitSeconds',
      Dimensions: [{ Name: 'service', Value: 'onboarding' }],
      Statistic: 'Maximum',
      Threshold: 3600,
    });
  });

  it('writes the retry policy derived from the outage length into both workflows', () => {
    const other = synthesize({ providerOutageHours: '1', providerRetryMaxDelaySeconds: '60' });
    const policy = providerRetryPolicy({ outageHours: 1, maxDelaySeconds: 60 });
    for (const machine of ['Onboarding', 'ConnectMigration']) {
      const props = resourcesOf(other.template, 'AWS::StepFunctions::StateMachine')[
        logicalIdOf(other.stack, `${machine}/StateMachine`)
      ]!.Properties;
      const definition = JSON.parse(props.DefinitionString as string) as {
        States: Record<string, { Retry?: { ErrorEquals: string[]; MaxAttempts: number; MaxDelaySeconds: number }[] }>;
      };
      const providerRetries = Object.values(definition.States)
        .flatMap((s) => s.Retry ?? [])
        .filter((r) => r.ErrorEquals.includes('ProviderUnavailable'));
      expect(providerRetries.length).toBeGreaterThanOrEqual(2);
      for (const retry of providerRetries) expect(retry).toMatchObject({ MaxAttempts: policy.maxAttempts, MaxDelaySeconds: 60 });
    }
    other.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PROVIDER_RETRY_POLICY: JSON.stringify(policy) }) },
    });
  });
});
