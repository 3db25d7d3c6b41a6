import { AssetHashType, DockerImage, Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, type IFunction, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FUNCTION_MEMORY_MB } from '../../manifest/function-settings';
import { BUNDLE_ENVIRONMENT, buildHandlerSync, PROJECT_ROOT } from '../bundling';

/**
 * The Lambda runtime of every function. Node.js 24 is the newest runtime CDK knows, which is what the
 * AwsSolutions-L1 check asks for; the bundle targets the same version.
 */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** Props of {@link OnboardingFunction}. */
export interface OnboardingFunctionProps {
  /** Entry point file name under functions/handlers, without `.ts` (for example `create-profile`). */
  readonly handler: string;
  /** One line on what the function does, shown in the console. */
  readonly description: string;
  /** The onboarding table; its name is passed as `TABLE_NAME` (access is granted separately). */
  readonly table: ITable;
  /** Retention of the function's own log group. */
  readonly logRetention: RetentionDays;
  /** Key the log group is encrypted with. */
  readonly logKey: IKey;
  /** Extra environment: names and ARNs only, never a secret value. */
  readonly environment?: Record<string, string>;
  /** Default 29 s (an API function answers within API Gateway's limit); workflow steps take longer. */
  readonly timeoutSeconds?: number;
}

/**
 * A Lambda function with the stack's defaults fixed once: runtime, ARM, memory, timeout, the shared
 * bundling (lib/bundling.ts: ESM, AWS SDK inside, external source map), Powertools settings, its own log group and X-Ray tracing. Its role may only
 * write to that log group and send traces; grants add the rest.
 */
export class OnboardingFunction extends LambdaFunction {
  /** The function's log group. */
  readonly logs: LogGroup;
  /** Its entry point under functions/handlers, without `.ts`. */
  readonly handlerName: string;

  constructor(scope: Construct, id: string, props: OnboardingFunctionProps) {
    const logs = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention, encryptionKey: props.logKey });
    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any log group.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.handler} function`,
    });
    super(scope, id, {
      code: handlerCode(props.handler),
      handler: 'index.handler',
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: FUNCTION_MEMORY_MB,
      timeout: Duration.seconds(props.timeoutSeconds ?? 29),
      tracing: Tracing.ACTIVE,
      logGroup: logs,
      role,
      environment: {
        ...BUNDLE_ENVIRONMENT,
        TABLE_NAME: props.table.tableName,
        ...props.environment,
      },
    });
    this.logs = logs;
    this.handlerName = props.handler;
    logs.grantWrite(role);
    acknowledgeOnRole(
      this,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments and PutTelemetryRecords (active tracing) do not support resource-level permissions.',
    );
  }
}

/**
 * Acknowledges a cdk-nag finding on a function's role (and so on its policies). Grant helpers call it
 * next to the grant that causes the finding, so each acknowledgement sits where its reason is visible.
 */
export function acknowledgeOnRole(fn: IFunction, id: string, reason: string): void {
  Validations.of(fn.role ?? fn).acknowledge({ id, reason });
}

/**
 * The function's asset: lib/bundling.ts builds the handler into CDK's output folder with esbuild, the
 * same build the bundle-size test and the bench measure. Always on this machine, never in Docker (the
 * image named is never pulled); the asset's hash is the output's, so an unchanged bundle is not uploaded
 * again. Synths that skip bundling (the infra tests) never call it.
 */
function handlerCode(handler: string): Code {
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('dummy'),
      // CDK caches a bundle by its source folder and these options (never by the local function): the
      // handler named here keeps the functions' assets apart.
      environment: { ONBOARDING_HANDLER: handler },
      local: {
        tryBundle(outputDir) {
          buildHandlerSync(handler, outputDir);
          return true;
        },
      },
    },
  });
}
