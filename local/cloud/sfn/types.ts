/** Shapes shared by the local Step Functions service and its parts. */

/** Which execution a task invocation is for (local only: Lambda sees the payload alone). */
export interface TaskInvocation {
  executionArn: string;
  /** Epoch ms the execution started (or was redriven). */
  executionStartedAt: number;
}

/** An in-process stand-in for a Lambda function: the invocation payload in, the function's result out. */
export type TaskHandler = (payload: unknown, invocation?: TaskInvocation) => Promise<unknown> | unknown;

export interface StateMachineRegistration {
  name: string;
  /** The ASL file CDK deploys (JSONPath). Either this or `definition`. */
  aslPath?: string;
  /** An ASL definition given inline (tests). */
  definition?: object;
  /** Values for `${Key}` placeholders, as CDK's `definitionSubstitutions`. */
  substitutions?: Record<string, string>;
  /** In-process functions by the ARN (or name) the definition's `FunctionName` resolves to. */
  taskHandlers?: Record<string, TaskHandler>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One entry of an execution's history, shaped as the SFN API's `HistoryEvent`. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

/** Whether RedriveExecution would accept the execution now. */
export type RedriveStatus = 'REDRIVABLE' | 'NOT_REDRIVABLE';

/** What the service keeps of one execution (and persists as it runs when given a data folder). */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** The input as sent (a JSON string). */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
  history: HistoryEvent[];
  /** States entered plus retries, nested Map/Parallel states included: what Standard workflows bill as transitions. */
  stateTransitions: number;
  /** Successful RedriveExecution calls so far. */
  redriveCount: number;
  redriveDate?: Date;
  /** The client token of the latest redrive: a repeat within 15 minutes answers that redrive. */
  redriveToken?: string;
}

/** DescribeExecution's answer. */
export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  inputDetails: { included: boolean };
  output?: string;
  outputDetails?: { included: boolean };
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: Date;
  redriveStatus: RedriveStatus;
  redriveStatusReason?: string;
  /** A Distributed Map's child execution: its Map Run. */
  mapRunArn?: string;
}

/** An EventBridge PutEvents entry as the SDK sends it. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date | number | string;
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
}

/** How the `events:putEvents` integration reaches the local bus. */
export type PutEventsFn = (input: { Entries: PutEventsEntry[] }) => Promise<PutEventsResult> | PutEventsResult;

/** Optional sink for the local services' own diagnostics. */
export type LocalLogger = (message: string, fields?: Record<string, unknown>) => void;
