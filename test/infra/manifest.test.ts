import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS } from '../../manifest/workflows';

/** The `${...FunctionArn}` placeholders an ASL file uses. */
const functionPlaceholders = (file: string) =>
  [...readFileSync(new URL(`../../workflows/${file}`, import.meta.url), 'utf8').matchAll(/\$\{(\w+FunctionArn)\}/g)]
    .map((m) => m[1])
    .filter((name, i, all) => all.indexOf(name) === i)
    .sort();

describe('the manifest of workflows', () => {
  it.each(Object.entries(WORKFLOWS))('names a function for every placeholder of %s, and no other', (_name, workflow) => {
    expect(Object.keys(workflow.functions).sort()).toEqual(functionPlaceholders(workflow.file));
  });
});
