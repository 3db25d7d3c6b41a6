import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConnectMigrationRequest } from '../../../functions/flows/straitsx-connect/migration-request';
import { parseOnboardingRequest } from '../../../functions/onboarding/request';
import { usdPatchSchema } from '../../../functions/providers/straitsx/schema-usd';
import { FREE_TEXT_MAX, textProblems, unsafeCharacter } from '../../../functions/shared/text';
import { type FieldError, parseRequestOrThrow, ValidationFailed } from '../../../functions/shared/validation';

const example = (name: string) => JSON.parse(readFileSync(new URL(`../../../examples/${name}.json`, import.meta.url), 'utf8'));

/** The field errors a parse throws, or [] when it passes. */
async function failures(parse: () => unknown): Promise<FieldError[]> {
  try {
    await parse();
    return [];
  } catch (error) {
    if (error instanceof ValidationFailed) return error.errors;
    throw error;
  }
}

const withCustomer = (name: string, patch: Record<string, unknown>) => {
  const request = example(name);
  return { ...request, customer: { ...request.customer, ...patch } };
};

describe('unsafeCharacter', () => {
  it('finds controls, bidirectional controls, invisible format characters and lone surrogates', () => {
    const cases: Array<[string, string]> = [
      ['a\u0000b', 'U+0000'],
      ['a\u001bb', 'U+001B'],
      ['tab\there', 'U+0009'],
      ['line\nbreak', 'U+000A'],
      ['c1\u0085', 'U+0085'],
      ['evil\u202Etxt.exe', 'U+202E'],
      ['iso\u2066late', 'U+2066'],
      ['mark\u200Fx', 'U+200F'],
      ['zero\u200Bwidth', 'U+200B'],
      ['bom\uFEFF', 'U+FEFF'],
      ['tag\u{E0041}', 'U+E0041'],
      ['lone\uD800', 'a lone surrogate'],
    ];
    for (const [value, found] of cases) expect(unsafeCharacter(value), value).toBe(found);
  });

  it('allows what names in any script need', () => {
    for (const value of ['Ada Lovelace', 'Zoë Ñúñez', '李小龍', 'مهسا\u200Cامینی', 'क्\u200Dष', 'Emoji 👩🏽‍💻', "O'Brien-Smith"])
      expect(unsafeCharacter(value), value).toBeUndefined();
  });
});

describe('text rules on every request', () => {
  it('refuses a Straddle name with NUL, ESC and U+202E, naming the field and the rule', async () => {
    for (const bad of ['Ada\u0000Lovelace', 'Ada\u001b[31mLovelace', 'Ada \u202Eecalevol']) {
      const errors = await failures(() => parseOnboardingRequest(withCustomer('straddle-individual', { name: bad })));
      expect(errors).toEqual([
        { path: 'customer.name', message: expect.stringMatching(/^name must not contain control, bidirectional or invisible/) },
      ]);
      expect(JSON.stringify(errors)).not.toContain('Lovelace');
    }
  });

  it('refuses a 1 MB Straddle name and a 100,000-character address1', async () => {
    const long = await failures(() =>
      parseOnboardingRequest(withCustomer('straddle-individual', { name: 'A'.repeat(1024 * 1024) })),
    );
    expect(long).toContainEqual({ path: 'customer.name', message: 'name must be at most 255 characters' });
    const address = {
      address1: 'x'.repeat(100_000),
      city: 'New York',
      state: 'NY',
      zip: '10001',
    };
    const errors = await failures(() => parseOnboardingRequest(withCustomer('straddle-individual', { address })));
    expect(errors).toContainEqual({ path: 'customer.address.address1', message: 'address1 must be at most 100 characters' });
  });

  it('refuses the same characters in every provider, in nested fields and in object keys', async () => {
    const straitsx = await failures(() =>
      parseOnboardingRequest(withCustomer('straitsx-personal', { customerNativeName: 'Siti \u2066Osman' })),
    );
    expect(straitsx.map((e) => e.path)).toEqual(['customer.customerNativeName']);
    expect(straitsx[0]?.message).toMatch(/U\+2066/);

    const wallex = await failures(() =>
      parseOnboardingRequest(withCustomer('wallex-individual', { occupation: 'Teacher\u0085' })),
    );
    expect(wallex).toEqual([
      { path: 'customer.occupation', message: expect.stringMatching(/occupation must not contain .* U\+0085/) },
    ]);

    const metadata = await failures(() =>
      parseOnboardingRequest(withCustomer('straddle-individual', { metadata: { 'ref\u202E': 'x', note: 'ok\u0007' } })),
    );
    expect(metadata.map((e) => e.path).sort()).toEqual(['customer.metadata', 'customer.metadata.note']);
  });

  it('bounds every string of a request, even a field whose schema sets none', async () => {
    const errors = await failures(() =>
      parseOnboardingRequest({ ...example('straddle-individual'), merchantRef: 'r'.repeat(FREE_TEXT_MAX + 1) }),
    );
    expect(errors.map((e) => e.path)).toEqual(['merchantRef']);
    expect(textProblems({ a: ['x'.repeat(FREE_TEXT_MAX + 1)] })).toEqual([
      { path: ['a', 0], message: `a must be at most ${FREE_TEXT_MAX} characters` },
    ]);
  });

  it('holds the Connect migration request and the USD profile update to the same rules', async () => {
    const migration = example('connect-migration');
    const errors = await failures(() =>
      parseConnectMigrationRequest({
        ...migration,
        userApiToken: 'tok_0123456789',
        customer: { ...migration.customer, customerNativeName: '\u202Dname' },
      }),
    );
    expect(errors.map((e) => e.path)).toEqual(['customer.customerNativeName']);

    const patch = await failures(() =>
      parseRequestOrThrow(usdPatchSchema.personal, { nationality: 'Singapore\u200B' }, ['customer']),
    );
    expect(patch).toEqual([{ path: 'customer.nationality', message: expect.stringMatching(/U\+200B/) }]);
  });

  it('still accepts the documented examples', async () => {
    for (const name of [
      'straddle-individual',
      'straitsx-personal',
      'straitsx-business',
      'straitsx-plus-personal',
      'wallex-individual',
    ])
      expect(await failures(() => parseOnboardingRequest(example(name))), name).toEqual([]);
  });
});
