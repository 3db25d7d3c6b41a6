import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type IFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FUNCTION_MEMORY_MB } from '../../manifest/function-settings';

/**
 * The Lambda runtime of every function. Node.js 24 is the newest runtime CDK knows, which is what the
 * AwsSolutions-L1 check asks for; the bundle targets the same version.
 */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;
const ESBUILD_TARGET = 'node24';

/** Where the Lambda entry points live: `functions/handlers/<name>.ts`. */
const HANDLERS_DIR = fileURLToPath(new URL('../../functions/handlers/', import.meta.url));
/** The project's lock file: named explicitly so bundling does not depend on the directory synth runs in. */
const LOCK_FILE = fileURLToPath(new URL('../../package-lock.json', import.meta.url));

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
 * A Lambda function with the stack's defaults fixed once: runtime, ARM, memory, timeout, ESM bundle
 * with the AWS SDK inside, Powertools settings, its own log group and X-Ray tracing. Its role may only
 * write to that log group and send traces; grants add the rest.
 */
export class OnboardingFunction extends NodejsFunction {
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
      entry: `${HANDLERS_DIR}${props.handler}.ts`,
      depsLockFilePath: LOCK_FILE,
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: FUNCTION_MEMORY_MB,
      timeout: Duration.seconds(props.timeoutSeconds ?? 29),
      tracing: Tracing.ACTIVE,
      logGroup: logs,
      role,
      bundling: {
        minify: true,
        sourceMap: true,
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        mainFields: ['module', 'main'],
        // Some bundled CommonJS dependencies call require(); an ESM bundle has no require of its own.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // Bundle the AWS SDK too: the version the code was tested with, not whatever the runtime ships.
        externalModules: [],
      },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'onboarding',
        POWERTOOLS_METRICS_NAMESPACE: 'Onboarding',
        POWERTOOLS_LOG_LEVEL: 'INFO',
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
