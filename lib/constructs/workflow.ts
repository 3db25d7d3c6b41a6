import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type CfnStateMachine, DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { inlineNumbers } from '../../functions/onboarding/retry-policy';
import { acknowledgeOnRole } from './function';

/** Props of {@link Workflow}. */
export interface WorkflowProps {
  /** Path of the Amazon States Language file; the same file runs on one machine. */
  readonly definitionFile: string;
  /**
   * Functions the definition invokes, by placeholder: `{ CreateProfileFunctionArn: fn }` replaces
   * `${CreateProfileFunctionArn}` with the function's ARN and lets the state machine invoke it.
   */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Other placeholders (bucket names, queue URLs...); their access is granted by the caller. */
  readonly substitutions?: Readonly<Record<string, string>>;
  /** Numeric placeholders (`"${Name}"`, quoted in the file: retry counts and pauses), written in as numbers. */
  readonly numbers?: Readonly<Record<string, number>>;
  /** Retention of the execution log group. */
  readonly logRetention: RetentionDays;
  /** Key the execution log group is encrypted with. */
  readonly logKey: IKey;
}

/**
 * A STANDARD state machine made from an ASL file in `workflows/`, kept inline in the template. The
 * definition is a string, so CDK cannot see which functions it calls: the construct grants invoke on
 * exactly the functions given, and checks that placeholders and substitutions match.
 */
export class Workflow extends Construct {
  /** The state machine. */
  readonly stateMachine: StateMachine;
  /** Its execution log group (errors only, without execution data). */
  readonly logs: LogGroup;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const definition = inlineNumbers(readFileSync(props.definitionFile, 'utf8'), props.numbers ?? {});
    const substitutions: Record<string, string> = { ...props.substitutions };
    for (const [name, fn] of Object.entries(props.functions)) substitutions[name] = fn.functionArn;
    checkPlaceholders(basename(props.definitionFile), definition, Object.keys(substitutions));

    this.logs = new LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' account-wide resource policy small.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${id}`,
      retention: props.logRetention,
      encryptionKey: props.logKey,
      // Errors only and no execution data: nothing to keep once the workflow is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: substitutions,
      stateMachineType: StateMachineType.STANDARD,
      tracingEnabled: true,
      // Execution data (inputs, outputs) must never reach the logs; the history keeps the details.
      logs: { destination: this.logs, level: LogLevel.ERROR, includeExecutionData: false },
    });

    // Unqualified ARNs only, as the definition calls them: no versions, aliases or other functions.
    const fns = Object.values(props.functions);
    if (fns.length > 0) {
      this.stateMachine.addToRolePolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: fns.map((fn) => fn.functionArn) }),
      );
    }

    Validations.of(this.stateMachine).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Log delivery (logs:CreateLogDelivery and related) and X-Ray (xray:PutTraceSegments) actions do not support resource-level permissions.',
      },
      {
        id: 'AwsSolutions-SF1',
        reason:
          'Logs errors only and never execution data (personal data must not reach logs); every event is in the execution history, and failures raise alarms.',
      },
    );
  }

  /** Lets a function start executions and describe them (to find an execution started earlier). */
  grantStart(fn: IFunction): void {
    this.stateMachine.grantStartExecution(fn);
    this.grantDescribe(fn);
  }

  /** Lets a function describe this state machine's executions (whether one still runs). */
  grantDescribe(fn: IFunction): void {
    const stack = Stack.of(this);
    // Executions are named at run time (after the onboarding id): any execution of this state machine.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${this.stateMachine.stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    const stateMachineId = stack.getLogicalId(this.stateMachine.node.defaultChild as CfnStateMachine);
    acknowledgeOnRole(
      fn,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${stateMachineId}.Name>:*]`,
      'Execution names are onboarding or batch ids chosen at run time; access is limited to executions of this one state machine.',
    );
  }

  /**
   * Lets a function recover this state machine's executions: redrive a failed one, describe any, and
   * start a new one where AWS cannot redrive. Redrive acts on executions, so it is granted on this
   * machine's execution ARNs, not on the state machine's.
   */
  grantRecovery(fn: IFunction): void {
    this.grantStart(fn);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['states:RedriveExecution'], resources: [this.executionArns()] }));
  }

  /** `arn:...:execution:<machine name>:*`: every execution of this state machine, none of another. */
  executionArns(): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * Lets a function resume this state machine's waiting tasks (`.waitForTaskToken`) with
   * `states:SendTaskSuccess` only: no failure or heartbeat calls, no other state machine.
   *
   * The statement sits in a policy of its own rather than in the role's default policy. Steps this state
   * machine invokes need it too, and a function depends on its default policy: putting the state
   * machine's ARN there would make the state machine (which depends on the functions it invokes) depend
   * on itself.
   */
  grantTaskSuccess(fn: IFunction): void {
    if (!fn.role) throw new Error(`${fn.node.path} has no role to grant task responses to`);
    new Policy(this, `TaskSuccess${fn.node.id}`, {
      roles: [fn.role],
      statements: [new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [this.stateMachine.stateMachineArn] })],
    });
  }
}

/** Fails the synth when the definition uses a placeholder without a value, or a value has no placeholder. */
function checkPlaceholders(file: string, definition: string, provided: readonly string[]): void {
  const used = new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string));
  const missing = [...used].filter((name) => !provided.includes(name));
  const unused = provided.filter((name) => !used.has(name));
  if (missing.length > 0 || unused.length > 0) {
    throw new Error(
      `${file}: placeholders without a substitution: [${missing.join(', ')}]; substitutions without a placeholder: [${unused.join(', ')}]`,
    );
  }
}
