import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { businessKeyOf, parseOnboardingRequest } from '../../../functions/onboarding/request';
import { ValidationFailed } from '../../../functions/shared/validation';

const example = (name: string) => JSON.parse(readFileSync(`examples/${name}.json`, 'utf8'));
const straitsx = async (input: unknown) => {
  const request = await parseOnboardingRequest(input);
  if (request.provider !== 'straitsx') throw new Error('expected a StraitsX request');
  return request;
};

async function failures(input: unknown) {
  try {
    await parseOnboardingRequest(input);
  } catch (error) {
    if (error instanceof ValidationFailed) return error.errors;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('onboarding request validation (StraitsX basic profile)', () => {
  it('accepts the documented personal and business examples and defaults the account to SGD over FAST', async () => {
    const personal = await straitsx(example('straitsx-personal'));
    const business = await straitsx(example('straitsx-business'));
    expect(personal.customer.registrationType).toBe('personal');
    expect(business.virtualAccount).toEqual({ currency: 'SGD', network: 'fast' });
  });

  it('accepts the minimum the get-started page asks for SGD: name, type and registration id', async () => {
    const request = await straitsx({
      provider: 'straitsx',
      merchantRef: 'u-1',
      customer: { registrationType: 'personal', customerName: 'Ali Bin Ahmad', registrationId: 'S7712345J' },
    });
    expect(request.customer.customerName).toBe('Ali Bin Ahmad');
  });

  it('lists every failing field with its rule, and never echoes a submitted value', async () => {
    const errors = await failures(example('straitsx-invalid'));
    const paths = errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'customer.customerName',
        'customer.registrationId',
        'customer.dateOfBirth',
        'customer.email',
        'customer.address.street',
        'customer.address.country',
      ]),
    );
    expect(errors.find((e) => e.path === 'customer.registrationId')?.message).toMatch(/4 to 35/);
    expect(errors.find((e) => e.path === 'customer.address.street')?.message).toMatch(/no #/);
    expect(errors.find((e) => e.path === 'customer.dateOfBirth')?.message).toMatch(/real calendar date/);
    const text = JSON.stringify(errors);
    for (const value of ['Ng #Wei', 'not-an-email', 'Blk 5 #03-12 Tampines', '1990-02-30']) expect(text).not.toContain(value);
  });

  it('names missing required fields as required', async () => {
    const errors = await failures({ provider: 'straitsx', customer: { registrationType: 'business' } });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'merchantRef', message: 'is required' },
        { path: 'customer.customerName', message: 'is required' },
        { path: 'customer.registrationId', message: 'is required' },
      ]),
    );
  });

  it('refuses fields the provider does not document, an unknown provider and a wrong registration type', async () => {
    expect(
      await failures({ ...example('straitsx-personal'), customer: { ...example('straitsx-personal').customer, nickname: 'x' } }),
    ).toContainEqual({
      path: 'customer.nickname',
      message: 'is not a documented field',
    });
    expect((await failures({ provider: 'paypal', merchantRef: 'a', customer: {} }))[0]).toMatchObject({ path: 'provider' });
    expect(
      (await failures({ provider: 'straitsx', merchantRef: 'a', customer: { registrationType: 'company' } }))[0],
    ).toMatchObject({
      path: 'customer.registrationType',
      message: 'registrationType must be personal or business',
    });
  });

  it('refuses a body that is not an object', async () => {
    expect(await failures([1, 2])).toEqual([{ path: '', message: 'the body must be a JSON object' }]);
  });

  it('applies the business registration rule (UEN) to business profiles: / is allowed, # is not', async () => {
    const customer = (registrationId: string) => ({ registrationType: 'business', customerName: 'Acme', registrationId });
    await expect(
      parseOnboardingRequest({ provider: 'straitsx', merchantRef: 'b-1', customer: customer('2019/12345K') }),
    ).resolves.toMatchObject({ provider: 'straitsx' });
    const errors = await failures({ provider: 'straitsx', merchantRef: 'b-1', customer: customer('201912345K#') });
    expect(errors.map((e) => e.path)).toEqual(['customer.registrationId']);
  });

  it('derives the business key from provider, type and a case- and space-folded registration id', async () => {
    const a = await parseOnboardingRequest({
      provider: 'straitsx',
      merchantRef: 'a',
      customer: { registrationType: 'personal', customerName: 'A B', registrationId: 's1234567a' },
    });
    const b = await parseOnboardingRequest({
      provider: 'straitsx',
      merchantRef: 'b',
      customer: { registrationType: 'personal', customerName: 'A B', registrationId: ' S1234567A ' },
    });
    expect(await businessKeyOf(a)).toEqual(await businessKeyOf(b));
  });
});
