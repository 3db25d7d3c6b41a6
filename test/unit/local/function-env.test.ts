import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isolateFunctionEnvironments, runAsFunction } from '../../../local/function-env';

const STACK = {
  TABLE_NAME: 'onboarding',
  STATE_MACHINE_ARN: 'arn:aws:states:ap-southeast-1:000000000000:stateMachine:onboarding',
};
let release: () => void;

beforeEach(() => {
  Object.assign(process.env, STACK, { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1' });
  release = isolateFunctionEnvironments();
});
afterEach(() => {
  release();
  for (const name of [...Object.keys(STACK), 'AWS_ENDPOINT_URL_DYNAMODB']) delete process.env[name];
});

describe('a function’s environment on this machine', () => {
  it('hides the stack’s variables the function does not declare, in every way of reading them', () => {
    const seen = runAsFunction({ TABLE_NAME: 'onboarding' }, () => ({
      value: process.env.STATE_MACHINE_ARN,
      present: 'STATE_MACHINE_ARN' in process.env,
      listed: Object.keys(process.env).includes('STATE_MACHINE_ARN'),
      copied: { ...process.env }.STATE_MACHINE_ARN,
      own: process.env.TABLE_NAME,
    }));
    expect(seen).toEqual({ value: undefined, present: false, listed: false, copied: undefined, own: 'onboarding' });
  });

  it('keeps the local cloud’s endpoints, which are no function’s configuration', () => {
    expect(runAsFunction({}, () => process.env.AWS_ENDPOINT_URL_DYNAMODB)).toBe('http://127.0.0.1:1');
  });

  it('follows the function across awaits and timers, and ends with it', async () => {
    const later = await runAsFunction({ TABLE_NAME: 'onboarding' }, async () => {
      await new Promise((done) => setTimeout(done, 1));
      return process.env.STATE_MACHINE_ARN;
    });
    expect(later).toBeUndefined();
    expect(process.env.STATE_MACHINE_ARN).toBe(STACK.STATE_MACHINE_ARN);
  });

  it('lets a change to the real environment reach the functions that declare the variable', () => {
    process.env.TABLE_NAME = 'changed';
    expect(runAsFunction({ TABLE_NAME: 'onboarding' }, () => process.env.TABLE_NAME)).toBe('changed');
  });

  it('gives the real environment back once released', () => {
    release();
    expect(runAsFunction({}, () => process.env.STATE_MACHINE_ARN)).toBe(STACK.STATE_MACHINE_ARN);
  });
});
