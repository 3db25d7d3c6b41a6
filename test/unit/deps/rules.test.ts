import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise, type IForbiddenRuleType } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const { forbidden } = createRequire(import.meta.url)('../../../.dependency-cruiser.cjs') as { forbidden: IForbiddenRuleType[] };
const fixture = fileURLToPath(new URL('./fixture', import.meta.url));

/** The import rules of `npm run lint:deps`, run over a small tree that breaks some of them on purpose. */
async function violations(): Promise<string[]> {
  const result = await cruise(['functions'], {
    baseDir: fixture,
    validate: true,
    ruleSet: { forbidden },
    tsPreCompilationDeps: true,
  });
  if (typeof result.output === 'string') throw new Error('expected a cruise result, not a report');
  return result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('import rules', () => {
  it('refuse a provider importing another provider or the domain, and the domain importing a provider folder', async () => {
    expect(await violations()).toEqual([
      'domain-provider-blind: functions/onboarding/record.ts -> functions/providers/beta/client.ts',
      'provider-knows-no-domain: functions/providers/alpha/client.ts -> functions/onboarding/record.ts',
      'provider-knows-no-other-provider: functions/providers/alpha/client.ts -> functions/providers/beta/client.ts',
    ]);
  });
});
