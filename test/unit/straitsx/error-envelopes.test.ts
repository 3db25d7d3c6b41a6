import { describe, expect, it } from 'vitest';
import { errorFromResponse, StraitsxInvalidRequest } from '../../../functions/providers/straitsx/errors';

// The bodies below are shaped as StraitsX documents them, one envelope per endpoint family.
const flat = (error: string, code: string) => JSON.stringify({ error, error_code: code, error_handling: '' });
const listed = (...entries: [string, string][]) =>
  JSON.stringify({ errors: entries.map(([error, code]) => ({ error, error_code: code, error_handling: 'See the spec.' })) });

describe('StraitsX error envelopes as the client reads them', () => {
  it('reads the profile endpoint\'s flat XFE15 "is missing" as a terminal refusal naming the field', () => {
    const error = errorFromResponse(400, flat('natureOfBusiness is missing', 'XFE15'));
    expect(error).toBeInstanceOf(StraitsxInvalidRequest);
    expect([error.name, error.retryable, error.code]).toEqual(['ProviderInvalidRequest', false, 'XFE15']);
    expect((error as StraitsxInvalidRequest).fields).toEqual(['natureOfBusiness']);
    expect(error.message).toBe('straitsx: invalid request: HTTP 400: XFE15 (fields: natureOfBusiness)');
  });

  it('names every field of a flat text that lists several, and keeps values out of message and fields', () => {
    const text =
      'email must be a valid e-mail address; address.city must be at most 20 characters; directors[0].identityDocuments.passport is missing';
    const error = errorFromResponse(400, flat(text, 'XFE12')) as StraitsxInvalidRequest;
    expect(error.fields).toEqual(['email', 'address.city', 'directors[0].identityDocuments.passport']);
    expect(error.providerMessage).toBe(text);
  });

  it('reads every entry of the documented errors[] list, the first giving the code', () => {
    const error = errorFromResponse(
      400,
      listed(['account_no must be 5 to 34 characters', 'STXE-3000'], ['swift_bic is invalid', 'STXE-3000']),
    ) as StraitsxInvalidRequest;
    expect([error.code, error.fields]).toEqual(['STXE-3000', ['account_no', 'swift_bic']]);
    expect(error.providerMessage).toBe('account_no must be 5 to 34 characters; swift_bic is invalid');
  });

  it("reads the bank account endpoint's {error, info} by status, naming the fields of a 400", () => {
    const error = errorFromResponse(400, JSON.stringify({ error: 'account_no is missing', info: 'Invalid parameters' }));
    expect([error.name, error.code, (error as StraitsxInvalidRequest).fields]).toEqual([
      'ProviderInvalidRequest',
      undefined,
      ['account_no'],
    ]);
    const unavailable = errorFromResponse(503, JSON.stringify({ error: 'upstream is down', info: 'nil' }));
    expect([unavailable.name, unavailable.retryable]).toEqual(['ProviderUnavailable', true]);
  });

  it('takes no prose and no value for a field name', () => {
    const prose = errorFromResponse(400, flat('Customer profile not found', 'XFE13')) as StraitsxInvalidRequest;
    const value = errorFromResponse(
      400,
      flat('s1234567a is invalid; jane@example.com is invalid', 'XFE12'),
    ) as StraitsxInvalidRequest;
    expect(prose.fields).toEqual([]);
    expect(value.fields).toEqual([]);
    expect(value.message).toBe('straitsx: invalid request: HTTP 400: XFE12');
  });

  it('classifies the flat and the listed envelopes alike by code: retryable or terminal', () => {
    const cases: [number, string, string, boolean][] = [
      [429, flat('Too many requests', 'STXE-9000'), 'ProviderRateLimited', true],
      [429, listed(['Too many requests', 'STXE-9000']), 'ProviderRateLimited', true],
      [500, listed(['Internal error', 'STXE-8001']), 'ProviderUnavailable', true],
      [404, flat('Customer profile not found', 'XFE13'), 'ProviderInvalidRequest', false],
      [400, flat('Customer profile already exists', 'XFE16'), 'ProviderConflict', false],
      [400, flat('Invalid file url provided', 'XFE16'), 'ProviderInvalidRequest', false],
      [422, listed(['Invalid State Transition', 'STXE-4000']), 'ProviderUnavailable', true],
      [422, listed(['Customer Profile Is Not Verified', 'STXE-4000']), 'ProviderRejected', false],
    ];
    for (const [status, body, name, retryable] of cases) {
      const error = errorFromResponse(status, body);
      expect([error.name, error.retryable], body).toEqual([name, retryable]);
    }
  });
});
