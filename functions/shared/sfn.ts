import type {
  DescribeExecutionInput,
  DescribeExecutionOutput,
  RedriveExecutionInput,
  RedriveExecutionOutput,
  SendTaskSuccessInput,
  SendTaskSuccessOutput,
  StartExecutionInput,
  StartExecutionOutput,
} from '@aws-sdk/client-sfn';
import { type AwsJsonService, callAws, timestampFields } from './aws-json';

/**
 * The Step Functions operations the functions call, over aws-json.ts, with the SDK client's inputs and
 * outputs (timestamps as Dates). Errors are named by AWS's code: `ExecutionAlreadyExists`,
 * `ExecutionDoesNotExist`, `ExecutionNotRedrivable`, `TaskDoesNotExist`, `TaskTimedOut`, `InvalidToken`.
 */

export const SFN: AwsJsonService = {
  target: 'AWSStepFunctions',
  jsonVersion: '1.0',
  signingName: 'states',
  envName: 'SFN',
  endpointPrefix: 'states',
  revive: timestampFields('startDate', 'stopDate', 'redriveDate'),
};

/** StartExecution. */
export const startExecution = (input: StartExecutionInput) => callAws<StartExecutionOutput>(SFN, 'StartExecution', input);
/** DescribeExecution. */
export const describeExecution = (input: DescribeExecutionInput) =>
  callAws<DescribeExecutionOutput>(SFN, 'DescribeExecution', input);
/** RedriveExecution. */
export const redriveExecution = (input: RedriveExecutionInput) => callAws<RedriveExecutionOutput>(SFN, 'RedriveExecution', input);
/** SendTaskSuccess. */
export const sendTaskSuccess = (input: SendTaskSuccessInput) => callAws<SendTaskSuccessOutput>(SFN, 'SendTaskSuccess', input);
