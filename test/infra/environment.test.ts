import { describe, expect, it } from 'vitest';
import { OnboardingFunction } from '../../lib/constructs/function';
import { ENTRY_POINTS, type EntryPoint } from '../../manifest/entry-points';
import { declaredVariables } from '../../manifest/environment';
import { synthesize } from './synth';

const { stack, template } = synthesize();
const resources = template.toJSON().Resources as Record<string, { Properties?: { Environment?: { Variables?: object } } }>;

/** The variable names the synthesized template sets on each entry point's function. */
const synthesized = new Map<string, string[]>(
  stack.node
    .findAll()
    .filter((c): c is OnboardingFunction => c instanceof OnboardingFunction)
    .map((fn) => {
      const logicalId = stack.getLogicalId(fn.node.defaultChild as never);
      return [fn.node.id, Object.keys(resources[logicalId]?.Properties?.Environment?.Variables ?? {}).sort()];
    }),
);

describe('each function’s environment', () => {
  it('has a function in the stack for every entry point, and no function outside the manifest', () => {
    expect([...synthesized.keys()].sort()).toEqual(Object.keys(ENTRY_POINTS).sort());
  });

  it.each(Object.keys(ENTRY_POINTS) as EntryPoint[])('%s: the stack sets exactly the declared variables', (entryPoint) => {
    expect(synthesized.get(entryPoint)).toEqual(declaredVariables(entryPoint));
  });
});
