import { CfnOutput, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** One stack output: a name an operator or script needs, never a secret value. */
export interface OutputValue {
  readonly value: string;
  readonly description: string;
}

/**
 * The stack's outputs. They are made on the stack itself so their names stay exactly as given
 * (`ApiUrl`, not a hashed path), which `cdk deploy --outputs-file` and scripts rely on.
 */
export class StackOutputs extends Construct {
  constructor(scope: Construct, id: string, outputs: Readonly<Record<string, OutputValue>>) {
    super(scope, id);
    const stack = Stack.of(this);
    for (const [name, { value, description }] of Object.entries(outputs)) {
      new CfnOutput(stack, name, { value, description });
    }
  }
}
