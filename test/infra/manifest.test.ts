import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { descriptorOf, PROVIDERS } from '../../functions/providers/registry';
import { ROUTES } from '../../manifest/routes';
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

describe('the manifest of webhook routes', () => {
  it('gives every provider exactly the route its descriptor names (the URL the provider knows), all to one function', () => {
    const webhookRoutes = ROUTES.filter((route) => route.access === 'webhook');
    expect(webhookRoutes.map((route) => route.path).sort()).toEqual(
      PROVIDERS.map((provider) => descriptorOf(provider).webhookPath).sort(),
    );
    expect(new Set(webhookRoutes.map((route) => `${route.method} ${route.entryPoint}`))).toEqual(new Set(['POST Webhook']));
  });
});
