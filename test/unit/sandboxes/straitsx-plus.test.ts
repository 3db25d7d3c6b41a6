import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StraitsxClient, sxPath } from '../../../functions/providers/straitsx/client';
import {
  isStraitsxAlreadyExists,
  isStraitsxNotFound,
  type StraitsxInvalidRequest,
} from '../../../functions/providers/straitsx/errors';
import { usdRailMissingFields } from '../../../functions/providers/straitsx/schema-usd';
import { ProviderConflict, ProviderInvalidRequest } from '../../../functions/shared/errors';
import { type StraitsxSandbox, startStraitsxSandbox } from '../../../local/sandboxes/straitsx';
import { failureOf } from '../provider-http';
import { businessPlus, businessUrls, personalPlus, personalUrls } from '../straitsx/plus-fixtures';

const API_KEY = 'sandbox-app-key';

interface ProfileDoc {
  data: {
    id: string;
    attributes: Record<string, unknown> & { registrationType: string; verificationStatus: string; updatedAt: string };
  };
}
interface BankAccountDoc {
  id: number;
  account_no: string;
  bank_abbrev: string;
  disabled: boolean;
  verification_status: string;
  bank_account_proof: string;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const PDF = Buffer.from('%PDF-1.7\n%\xe2\xe3\n', 'latin1');
const JPG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);

// A file server on loopback: every .png, .pdf and .jpg path answers a file of that kind, `/fake.png`
// answers text, anything under /missing/ answers 404. It counts the requests it serves.
async function startFileServer(): Promise<{ base: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.push(path);
    if (path === '/fake.png') return res.end('just some text, not a picture');
    if (path.startsWith('/missing/')) return res.writeHead(404).end();
    const body = path.endsWith('.png') ? PNG : path.endsWith('.pdf') ? PDF : path.endsWith('.jpg') ? JPG : undefined;
    return body ? res.end(body) : res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

// The provider body: the merchant's customer with each link placed in its field.
const personalBody = (base: string, over: Record<string, unknown> = {}) => {
  const urls = personalUrls(`${base}/docs`);
  return personalPlus({
    identityDocuments: {
      livenessResult: 1,
      proofOfAddress: urls['identityDocuments.proofOfAddress'],
      livenessSnapshot: urls['identityDocuments.livenessSnapshot'],
      idFront: urls['identityDocuments.idFront'],
      idBack: urls['identityDocuments.idBack'],
    },
    ...over,
  });
};

describe('StraitsX sandbox: CP+ profiles, PATCH and profile bank accounts', () => {
  let files: Awaited<ReturnType<typeof startFileServer>>;
  let sandbox: StraitsxSandbox;
  let client: StraitsxClient;
  let now = new Date('2026-03-01T08:00:00Z');

  const create = (body: object) => client.request<ProfileDoc>('POST', '/kyc/customer_profiles', { body });
  const patch = (id: string, body: object) => client.request<ProfileDoc>('PATCH', sxPath`/kyc/customer_profiles/${id}`, { body });
  const addBankAccount = (id: string, body: object) =>
    client.request<BankAccountDoc[]>('POST', sxPath`/customer_profile/${id}/bank_accounts`, { body });

  beforeAll(async () => {
    files = await startFileServer();
    sandbox = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0, clock: () => now });
    client = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await sandbox.stop();
    await new Promise((resolve) => files.server.close(resolve));
  });
  beforeEach(() => {
    sandbox.reset();
    files.hits.length = 0;
  });

  it('creates a personal CP+ pending, after fetching each linked document', async () => {
    const doc = await create(personalBody(files.base));

    expect(doc.data.attributes.verificationStatus).toBe('pending');
    expect(doc.data.attributes.identityDocuments).toMatchObject({
      livenessResult: true,
      idBack: `${files.base}/docs/id-back.png`,
    });
    expect(files.hits.sort()).toEqual(['/docs/id-back.png', '/docs/id-front.png', '/docs/liveness.png', '/docs/poa.pdf']);
    await expect(client.request('GET', sxPath`/kyc/customer_profiles/${doc.data.id}`)).resolves.toEqual(doc);
  });

  it('creates a business CP+ pending with company, people and trader documents', async () => {
    const urls: Record<string, string> = businessUrls(`${files.base}/docs`);
    const body = businessPlus();
    const withLinks = {
      ...body,
      documents: Object.fromEntries(
        Object.entries(urls)
          .filter(([k]) => k.startsWith('documents.'))
          .map(([k, v]) => [k.slice(10), v]),
      ),
      directors: [{ ...body.directors[0], identityDocuments: { passport: urls['directors[0].identityDocuments.passport'] } }],
      beneficialOwners: [
        {
          ...body.beneficialOwners[0],
          proofOfAddress: urls['beneficialOwners[0].proofOfAddress'],
          identityDocuments: {
            idFront: urls['beneficialOwners[0].identityDocuments.idFront'],
            idBack: urls['beneficialOwners[0].identityDocuments.idBack'],
          },
        },
      ],
      trader: {
        ...body.trader,
        proofOfAddress: urls['trader.proofOfAddress'],
        selfie: urls['trader.selfie'],
        livenessSnapshot: urls['trader.livenessSnapshot'],
        identityDocuments: { idFront: urls['trader.identityDocuments.idFront'], idBack: urls['trader.identityDocuments.idBack'] },
      },
    };
    const doc = await create(withLinks);

    expect(doc.data.attributes).toMatchObject({ registrationType: 'business', verificationStatus: 'pending' });
    expect(new Set(files.hits).size).toBe(Object.keys(urls).length);
  });

  it('refuses a CP+ without a required document with 400 XFE15 naming it, and stores nothing', async () => {
    const body = personalBody(files.base);
    const { idBack: _, ...documents } = body.identityDocuments as Record<string, unknown>;
    const error = await failureOf(create({ ...body, identityDocuments: documents }));

    expect(error).toBeInstanceOf(ProviderInvalidRequest);
    expect([error.httpStatus, error.code]).toEqual([400, 'XFE15']);
    expect(error.providerMessage).toBe('identityDocuments.idBack is missing (required when registrationIdType is identity_card)');
    const others = await failureOf(create(personalBody(files.base, { purposeOfAccount: 'OTHERS' })));
    expect(others.providerMessage).toBe('otherPurposeOfAccount is missing (required when purposeOfAccount is OTHERS)');
    // A conditional rule and plain field rules fail together in one answer.
    const { email: _email, ...noEmail } = personalBody(files.base, { purposeOfAccount: 'OTHERS', gender: 'male' });
    const many = (await failureOf(create({ ...noEmail, identityDocuments: documents }))) as StraitsxInvalidRequest;
    expect([many.code, [...many.fields].sort()]).toEqual([
      'XFE15',
      ['email', 'gender', 'identityDocuments.idBack', 'otherPurposeOfAccount'],
    ]);
    expect(sandbox.profiles()).toEqual([]);
    expect(files.hits).toEqual([]);
  });

  it('refuses a document that does not answer 200 or is not a PNG, JPG or PDF, without quoting the link', async () => {
    const missing = await failureOf(
      create(personalBody(files.base, { ...docs(files.base, { idBack: `${files.base}/missing/b.png` }) })),
    );
    const text = await failureOf(
      create(personalBody(files.base, { ...docs(files.base, { livenessSnapshot: `${files.base}/fake.png` }) })),
    );

    expect([missing.httpStatus, missing.code, missing.providerMessage]).toEqual([
      400,
      'XFE12',
      'identityDocuments.idBack could not be fetched (HTTP 404)',
    ]);
    expect(text.providerMessage).toBe('identityDocuments.livenessSnapshot must be a PNG, JPG or PDF file');
    expect(text.providerMessage).not.toContain(files.base);
    expect(sandbox.profiles()).toEqual([]);
  });

  it('skips the document fetch when told to, for tests without a file server', async () => {
    const offline = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0, fetchDocuments: false });
    try {
      const quiet = new StraitsxClient({ baseUrl: offline.url, apiKey: API_KEY, timeoutMs: 5000 });
      const doc = await quiet.request<ProfileDoc>('POST', '/kyc/customer_profiles', {
        body: personalBody('https://nowhere.example.com'),
      });
      expect(doc.data.attributes.verificationStatus).toBe('pending');
    } finally {
      await offline.stop();
    }
  });

  it('answers a second CP+ for the same registration with XFE16', async () => {
    await create(personalBody(files.base));
    expect(isStraitsxAlreadyExists(await failureOf(create(personalBody(files.base))))).toBe(true);
    expect(sandbox.profiles()).toHaveLength(1);
  });

  it('adds the USD-rail fields to a basic profile with PATCH', async () => {
    const basic = await create({ registrationType: 'personal', customerName: 'Jane Tan', registrationId: 'S1234567A' });
    expect(usdRailMissingFields(basic.data.attributes)).toHaveLength(6);
    now = new Date('2026-03-01T09:00:00Z');

    const usd = {
      registrationIdType: 'identity_card',
      registrationIdCountry: 'SG',
      address: { street: '10 Anson Road', city: 'Singapore', country: 'SG' },
      countryOfResidence: 'SG',
      dateOfBirth: '1990-01-21',
      nationality: 'SG',
    };
    const updated = await patch(basic.data.id, usd);

    expect(updated.data.attributes).toMatchObject({ ...usd, customerName: 'Jane Tan', verificationStatus: 'verified' });
    expect(updated.data.attributes.updatedAt).toBe('2026-03-01T09:00:00Z');
    expect(usdRailMissingFields(updated.data.attributes)).toEqual([]);
    const merged = await patch(basic.data.id, { address: { postalCode: '079903' } });
    expect(merged.data.attributes.address).toEqual({ ...usd.address, postalCode: '079903' });
  });

  it('checks a PATCH with the profile’s rules: 400 naming the field, 404 for an unknown profile', async () => {
    const basic = await create({ registrationType: 'personal', customerName: 'Jane Tan', registrationId: 'S1234567A' });
    const badDate = await failureOf(patch(basic.data.id, { dateOfBirth: '1990-02-30' }));
    const plusField = await failureOf(patch(basic.data.id, { occupation: 'IT_RELATED' }));
    const unknown = await failureOf(patch('customer_profile_unknown', { nationality: 'SG' }));

    expect([badDate.httpStatus, badDate.code, badDate.providerMessage]).toEqual([
      400,
      'XFE12',
      'dateOfBirth must be a real calendar date',
    ]);
    expect(plusField.providerMessage).toBe('occupation cannot be added to a basic customer profile');
    expect([unknown.httpStatus, unknown.code]).toEqual([404, 'XFE13']);
    expect(isStraitsxNotFound(unknown)).toBe(true);
    expect(sandbox.profiles()[0]?.attributes).toEqual({
      registrationType: 'personal',
      customerName: 'Jane Tan',
      registrationId: 'S1234567A',
    });
  });

  it('updates a CP+ with its own rules, fetching only the links that changed, and keeps it pending', async () => {
    const plus = await create(personalBody(files.base));
    files.hits.length = 0;
    const selfie = { identityDocuments: { selfie: `${files.base}/missing/selfie.png` } };

    const broken = await failureOf(patch(plus.data.id, selfie));
    const updated = await patch(plus.data.id, {
      email: 'jane@example.org',
      identityDocuments: { selfie: `${files.base}/docs/s.jpg` },
    });

    expect(broken.providerMessage).toBe('identityDocuments.selfie could not be fetched (HTTP 404)');
    expect(files.hits).toEqual(['/missing/selfie.png', '/docs/s.jpg']);
    expect(updated.data.attributes).toMatchObject({ email: 'jane@example.org', verificationStatus: 'pending' });
    expect(updated.data.attributes.identityDocuments).toMatchObject({
      idBack: `${files.base}/docs/id-back.png`,
      selfie: `${files.base}/docs/s.jpg`,
    });
  });

  describe('customer profile bank accounts', () => {
    const account = (over: Record<string, unknown> = {}) => ({
      account_no: '0123456789',
      account_holder_name: 'Jane Tan',
      bank: 'DBS',
      bank_account_proof: { fileUrl: `${files.base}/docs/statement.pdf` },
      ...over,
    });

    it('creates a pending account answered as an array, and lists it', async () => {
      const profile = await create({ registrationType: 'personal', customerName: 'Jane Tan', registrationId: 'S1234567A' });
      const [created, ...rest] = await addBankAccount(profile.data.id, account());

      expect(rest).toEqual([]);
      expect(created).toMatchObject({
        account_no: '0123456789',
        account_holder_name: 'Jane Tan',
        bank_abbrev: 'DBS',
        disabled: false,
        verification_status: 'pending',
        bank_account_proof: 'statement.pdf',
      });
      expect(Number.isInteger(created?.id)).toBe(true);
      expect(files.hits).toEqual(['/docs/statement.pdf']);
      const listed = await client.request<BankAccountDoc[]>('GET', sxPath`/customer_profile/${profile.data.id}/bank_accounts`);
      expect(listed).toEqual([created]);
      expect(sandbox.bankAccounts()).toHaveLength(1);
    });

    it('answers a repeated account number with XFE16 "already exists" and keeps one account', async () => {
      const profile = await create({ registrationType: 'personal', customerName: 'Jane Tan', registrationId: 'S1234567A' });
      await addBankAccount(profile.data.id, account());
      const error = await failureOf(addBankAccount(profile.data.id, account({ account_holder_name: 'J Tan' })));

      expect(error).toBeInstanceOf(ProviderConflict);
      expect([error.httpStatus, error.code, error.providerMessage]).toEqual([
        400,
        'XFE16',
        'Customer profile bank account already exists',
      ]);
      expect(sandbox.bankAccounts()).toHaveLength(1);
    });

    it('refuses a proof link with a query string, a proof that is not a document, and an invalid account', async () => {
      const profile = await create({ registrationType: 'personal', customerName: 'Jane Tan', registrationId: 'S1234567A' });
      const id = profile.data.id;
      const query = await failureOf(
        addBankAccount(id, account({ bank_account_proof: { fileUrl: `${files.base}/docs/s.pdf?X-Amz-Signature=1` } })),
      );
      const text = await failureOf(addBankAccount(id, account({ bank_account_proof: { fileUrl: `${files.base}/fake.png` } })));
      const invalid = await failureOf(addBankAccount(id, account({ account_no: '12' })));
      const noProfile = await failureOf(addBankAccount('customer_profile_unknown', account()));

      expect(query).toBeInstanceOf(ProviderInvalidRequest);
      expect([query.httpStatus, query.code, query.providerMessage]).toEqual([400, 'XFE16', 'Invalid file url provided']);
      expect(text).toBeInstanceOf(ProviderInvalidRequest);
      expect([text.httpStatus, text.providerMessage]).toEqual([
        400,
        'Something went wrong with Bank Account Proof Document (Received Request: nil)',
      ]);
      // The endpoint's own `{error, info}` envelope: no code, every failing field named.
      expect([invalid.httpStatus, invalid.code, (invalid as StraitsxInvalidRequest).fields]).toEqual([
        400,
        undefined,
        ['account_no'],
      ]);
      expect(invalid.providerMessage).toMatch(/^account_no must be a string matching .* \(Invalid parameters\)$/);
      const neither = (await failureOf(
        addBankAccount(id, account({ bank: undefined, swift_bic: undefined, account_holder_name: '' })),
      )) as StraitsxInvalidRequest;
      expect(neither.fields).toEqual(['account_holder_name', 'bank']);
      expect(isStraitsxNotFound(noProfile)).toBe(true);
      expect(sandbox.bankAccounts()).toEqual([]);
    });

    it('takes a proof inline as a data URI', async () => {
      const profile = await create({ registrationType: 'personal', customerName: 'Jane Tan', registrationId: 'S1234567A' });
      const proof = { fileData: `data:image/png;base64,${PNG.toString('base64')}`, fileName: 'statement.png' };
      const [created] = await addBankAccount(
        profile.data.id,
        account({ bank: undefined, swift_bic: 'DBSSSGSGXXX', bank_account_proof: proof }),
      );
      expect(created).toMatchObject({ bank_abbrev: 'DBSS', bank_account_proof: 'statement.png' });
    });
  });
});

// identityDocuments of `personalBody` with some links replaced.
function docs(base: string, replace: Record<string, string>) {
  const urls = personalUrls(`${base}/docs`);
  return {
    identityDocuments: {
      livenessResult: true,
      proofOfAddress: urls['identityDocuments.proofOfAddress'],
      livenessSnapshot: urls['identityDocuments.livenessSnapshot'],
      idFront: urls['identityDocuments.idFront'],
      idBack: urls['identityDocuments.idBack'],
      ...replace,
    },
  };
}
