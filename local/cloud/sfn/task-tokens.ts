import { randomBytes } from 'node:crypto';
import { AwsServiceError } from '../aws-json-server';

/**
 * Task tokens for `.waitForTaskToken` states: a token is minted when the task starts, and the task's
 * promise is settled by SendTaskSuccess / SendTaskFailure, as the real service does.
 */

interface Waiter {
  executionArn: string;
  stateName: string;
  /** Epoch ms after which the state has timed out (the interpreter raised States.Timeout). */
  deadline: number;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  /** Ends a restored wait at its original deadline (the interpreter's own timer started anew). */
  timer?: NodeJS.Timeout;
}

/** Closed tokens remembered, so a late or repeated answer gets TaskTimedOut as on AWS. */
const CLOSED_LIMIT = 10_000;

/** Mints tokens and settles the tasks waiting on them. */
export class TaskTokenBroker {
  private readonly waiting = new Map<string, Waiter>();
  private readonly closed = new Set<string>();

  /** A new token and the promise the waiting task awaits. */
  mint(executionArn: string, stateName: string, timeoutSeconds: number): { token: string; promise: Promise<unknown> } {
    // Opaque like AWS's tokens; long enough that guessing one is not a thing.
    const token = randomBytes(48).toString('base64url');
    return { token, promise: this.register(token, executionArn, stateName, Date.now() + timeoutSeconds * 1000) };
  }

  /**
   * Waits again on a token minted before a restart: the same token (the onboarding record holds it),
   * timing out at the wait's original `deadline` (epoch ms) with States.Timeout.
   */
  restore(executionArn: string, stateName: string, token: string, deadline: number): Promise<unknown> {
    this.closed.delete(token);
    const promise = this.register(token, executionArn, stateName, deadline);
    const waiter = this.waiting.get(token)!;
    waiter.timer = setTimeout(
      () => {
        if (this.waiting.get(token) !== waiter) return;
        this.close(token);
        waiter.reject(timeoutError());
      },
      Math.max(0, deadline - Date.now()),
    );
    return promise;
  }

  private register(token: string, executionArn: string, stateName: string, deadline: number): Promise<unknown> {
    let resolve!: (output: unknown) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // When the execution ends first (stopped, timed out), nobody awaits this any more: the rejection
    // that closes it must not surface as an unhandled one.
    promise.catch(() => undefined);
    this.waiting.set(token, { executionArn, stateName, deadline, resolve, reject });
    return promise;
  }

  /** SendTaskSuccess: `output` is the JSON text the task's result is parsed from. */
  succeed(token: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new AwsServiceError('InvalidOutput', 'Invalid State Machine Execution output: output must be valid JSON');
    }
    this.take(token).resolve(parsed);
  }

  /** SendTaskFailure: the task fails with `error` as the name ASL `Retry`/`Catch` match. */
  fail(token: string, error?: string, cause?: string): void {
    const failure = new Error(cause ?? '');
    failure.name = error ?? 'States.TaskFailed';
    this.take(token).reject(failure);
  }

  /** SendTaskHeartbeat: only checks the token (heartbeats are not enforced locally). */
  heartbeat(token: string): void {
    this.find(token);
  }

  /** Tokens an execution is waiting on, oldest first. */
  pending(executionArn?: string): Array<{ token: string; executionArn: string; stateName: string }> {
    return [...this.waiting.entries()]
      .filter(([, w]) => (executionArn ? w.executionArn === executionArn : true) && w.deadline > Date.now())
      .map(([token, w]) => ({ token, executionArn: w.executionArn, stateName: w.stateName }));
  }

  /** Forgets a token whose task failed before it could be answered. */
  discard(token: string): void {
    if (this.waiting.has(token)) this.close(token);
  }

  /** Ends every wait of an execution that has stopped, so its interpreter unwinds. */
  closeExecution(executionArn: string, reason: Error): void {
    for (const [token, waiter] of this.waiting) {
      if (waiter.executionArn !== executionArn) continue;
      this.close(token);
      waiter.reject(reason);
    }
  }

  private take(token: string): Waiter {
    const waiter = this.find(token);
    this.close(token);
    return waiter;
  }

  private find(token: string): Waiter {
    const waiter = this.waiting.get(token);
    if (waiter && waiter.deadline > Date.now()) return waiter;
    if (waiter || this.closed.has(token)) {
      if (waiter) this.close(token);
      throw new AwsServiceError('TaskTimedOut', 'Task Timed Out: Provided task does not exist anymore');
    }
    throw new AwsServiceError('TaskDoesNotExist', 'Task does not exist: the task token is not known');
  }

  private close(token: string): void {
    clearTimeout(this.waiting.get(token)?.timer);
    this.waiting.delete(token);
    this.closed.add(token);
    if (this.closed.size > CLOSED_LIMIT) this.closed.delete(this.closed.values().next().value as string);
  }
}

/** The error a task wait raises when its time is up, as the interpreter's own timeout names it. */
export function timeoutError(): Error {
  const error = new Error('Task timed out');
  error.name = 'States.Timeout';
  return error;
}
