import { asRateHolder } from '../store/rate-budget';

/** The payload fields that tell one workflow step invocation from another. */
interface StepPayload {
  execution?: unknown;
  slot?: unknown;
  check?: unknown;
}

/**
 * The holder of a reserved rate slot: the execution, the step, and the Map item (document slot) or the
 * status being checked, so that each invocation that comes back after its wait finds its own slot.
 * Execution names are onboarding or migration ids, and slots and checks are fixed words: no personal data.
 */
export function stepHolder(step: string, event: unknown): string | undefined {
  const payload = (event ?? {}) as StepPayload;
  if (typeof payload.execution !== 'string' || payload.execution === '') return undefined;
  const parts = [payload.execution, step];
  if (typeof payload.slot === 'string' && payload.slot !== '') parts.push(payload.slot);
  if (typeof payload.check === 'string' && payload.check !== '') parts.push(payload.check);
  return parts.join('#');
}

/**
 * Runs a provider-calling workflow step as the holder of its rate slots: a request the budget cannot
 * admit now reserves a slot and ends the invocation with ProviderPaced, and the state machine waits.
 * Without an execution name (a direct invocation) there is nobody to come back, so the budget answers
 * ProviderRateLimited instead.
 */
export function pacedStep<T>(step: string, event: unknown, work: () => Promise<T>): Promise<T> {
  const holder = stepHolder(step, event);
  return holder === undefined ? work() : asRateHolder(holder, work);
}
