import { describe, expect, it } from 'vitest';
import type { OnboardingRequest } from '../../../functions/onboarding/request';
import type { DocumentAccess } from '../../../functions/providers/port';
import { WallexAdapter, type WallexTransport, wallexSecretSchema } from '../../../functions/providers/wallex/adapter';
import { memoryProgressStore } from '../../../functions/providers/wallex/progress';
import { ProviderInvalidRequest, ProviderUnavailable } from '../../../functions/shared/errors';
import { PDF, wallexRequest } from './fixtures';
import { onboardUser } from './steps';

type Route = (body: unknown) => unknown;

/** A scripted Wallex: answers by `METHOD path`, records every call and upload. */
function scripted(routes: Record<string, Route | unknown>) {
  const calls: string[] = [];
  const bodies: Record<string, unknown> = {};
  const uploads: { url: string; bytes: number[]; contentType: string }[] = [];
  const client = {
    async request(method: string, path: string, options: { body?: unknown } = {}) {
      const key = `${method} ${path}`;
      calls.push(key);
      if (options.body !== undefined) bodies[key] = options.body;
      const route = routes[key];
      const answer = typeof route === 'function' ? (route as Route)(options.body) : route;
      if (answer instanceof Error) throw answer;
      return structuredClone(answer);
    },
    async upload(url: string, body: Uint8Array, contentType: string) {
      calls.push(`UPLOAD ${url}`);
      const fail = routes[`UPLOAD ${url}`];
      if (fail instanceof Error) throw fail;
      uploads.push({ url, bytes: [...body], contentType });
    },
  };
  return { calls, bodies, uploads, client: client as unknown as WallexTransport };
}

const request = wallexRequest() as unknown as OnboardingRequest;
const ctx = { onboardingId: 'onb_aaaaaaaaaaaaaaaaaaaaaaaaaa', request };
const files = (bytes: Uint8Array = PDF): DocumentAccess => ({
  uploaded: () => ['passport'],
  url: async () => 'unused',
  read: async () => ({ body: bytes, contentType: 'application/pdf' }),
});
const unavailable = () => new ProviderUnavailable({ provider: 'wallex', httpStatus: 503 });

const USER = 'u-1';
const happyRoutes = (status = 'pending'): Record<string, unknown> => ({
  'POST /v2/signup': { userId: USER, email: 'mei.ling.tan@example.com' },
  [`GET /v2/users/${USER}`]: { id: USER, status },
  [`GET /v2/users/${USER}/detail`]: { status: { value: 'incomplete', missing_fields: ['mobileNumber'] } },
  [`PATCH /v2/users/${USER}/detail`]: { status: { value: 'complete', missing_fields: [] } },
  [`GET /v2/users/${USER}/documents`]: { value: [] },
  [`POST /v2/users/${USER}/documents`]: { id: 'd-1', documentType: 'passport', uploadUrl: 'https://files.test/d-1' },
  [`POST /v2/users/${USER}/screen`]: { userId: USER, status: 'pending_approval' },
});

describe('Wallex adapter', () => {
  it('signs up, sends the details, uploads each document and starts screening, in the documented order', async () => {
    const wallex = scripted(happyRoutes());
    const adapter = new WallexAdapter({ client: async () => wallex.client, progress: memoryProgressStore() });

    const result = await onboardUser(adapter, { ...ctx, documents: files() });

    expect(result).toEqual({ profileId: USER, status: 'pending', created: true, providerStatus: 'pending_approval' });
    expect(wallex.calls).toEqual([
      'POST /v2/signup',
      `GET /v2/users/${USER}`,
      `GET /v2/users/${USER}/detail`,
      `PATCH /v2/users/${USER}/detail`,
      `GET /v2/users/${USER}/documents`,
      `POST /v2/users/${USER}/documents`,
      'UPLOAD https://files.test/d-1',
      `GET /v2/users/${USER}`,
      `POST /v2/users/${USER}/screen`,
    ]);
    expect(wallex.bodies['POST /v2/signup']).toEqual({
      firstName: 'Mei Ling',
      lastName: 'Tan',
      email: 'mei.ling.tan@example.com',
      countryCode: 'SG',
      accountType: 'individual',
    });
    expect(wallex.bodies[`PATCH /v2/users/${USER}/detail`]).toMatchObject({ mobileNumber: '91234567', expiryDate: '2030-02-19' });
    expect(wallex.bodies[`POST /v2/users/${USER}/documents`]).toEqual({ documentType: 'passport', documentName: 'passport.pdf' });
    expect(wallex.uploads).toEqual([{ url: 'https://files.test/d-1', bytes: [...PDF], contentType: 'application/pdf' }]);
  });

  it('makes each call in its own step: the sign-up says the details come next, a retried upload repeats that upload alone', async () => {
    const progress = memoryProgressStore();
    const wallex = scripted({ ...happyRoutes(), 'UPLOAD https://files.test/d-1': unavailable() });
    const adapter = new WallexAdapter({ client: async () => wallex.client, progress });
    const created = await adapter.createProfile({ ...ctx, documents: files() });
    expect(created).toMatchObject({ profileId: USER, status: 'pending', awaiting: 'details' });
    expect(wallex.calls).toEqual(['POST /v2/signup', `GET /v2/users/${USER}`]);

    await adapter.submitDetails({ ...ctx, profileId: USER });
    const upload = { ...ctx, profileId: USER, slot: 'passport', documents: files() };
    await expect(adapter.uploadDocument(upload)).rejects.toBeInstanceOf(ProviderUnavailable);
    const before = wallex.calls.length;
    const retry = scripted({
      ...happyRoutes(),
      [`GET /v2/users/${USER}/documents`]: { value: [{ id: 'd-1', documentType: 'passport' }] },
      [`PATCH /v2/users/${USER}/documents/d-1`]: { id: 'd-1', uploadURL: 'https://files.test/d-1-again' },
    });
    const retried = new WallexAdapter({ client: async () => retry.client, progress });
    expect(await retried.uploadDocument(upload)).toEqual({ uploaded: true });
    expect(before).toBe(7);
    expect(retry.calls).toEqual([
      `GET /v2/users/${USER}/documents`,
      `PATCH /v2/users/${USER}/documents/d-1`,
      'UPLOAD https://files.test/d-1-again',
    ]);
    // Sent once: the same upload step again asks Wallex nothing but the entries.
    expect(await retried.uploadDocument(upload)).toEqual({ uploaded: false });
  });

  it('starts no second screening when the answer to the first was lost', async () => {
    const progress = memoryProgressStore();
    const adapter = new WallexAdapter({ client: async () => scripted(happyRoutes()).client, progress });
    const profileId = (await adapter.createProfile({ ...ctx, documents: files() })).profileId;
    await adapter.submitDetails({ ...ctx, profileId });
    await adapter.uploadDocument({ ...ctx, profileId, slot: 'passport', documents: files() });
    // The screening landed (the user moved on), its answer did not: the step is retried.
    const again = scripted(happyRoutes('pending_approval'));
    const result = await new WallexAdapter({ client: async () => again.client, progress }).startScreening({
      ...ctx,
      profileId,
    });
    expect(result).toMatchObject({ status: 'pending', providerStatus: 'pending_approval' });
    expect(again.calls).toEqual([`GET /v2/users/${USER}`]);
  });

  it('re-sends nothing on a re-run after screening started', async () => {
    const progress = memoryProgressStore();
    await onboardUser(new WallexAdapter({ client: async () => scripted(happyRoutes()).client, progress }), {
      ...ctx,
      documents: files(),
    });
    const again = scripted(happyRoutes('pending_approval'));
    const result = await onboardUser(new WallexAdapter({ client: async () => again.client, progress }), {
      ...ctx,
      documents: files(),
    });
    expect(result).toMatchObject({ profileId: USER, status: 'pending', created: false });
    expect(again.calls).toEqual([`GET /v2/users/${USER}`]);
  });

  it('after a failed upload, carries on with the same user and entry: a fresh URL, no second sign-up or entry', async () => {
    const progress = memoryProgressStore();
    const first = scripted({ ...happyRoutes(), 'UPLOAD https://files.test/d-1': unavailable() });
    const adapter1 = new WallexAdapter({ client: async () => first.client, progress });
    await expect(onboardUser(adapter1, { ...ctx, documents: files() })).rejects.toBeInstanceOf(ProviderUnavailable);

    const second = scripted({
      ...happyRoutes(),
      [`GET /v2/users/${USER}/detail`]: { status: { value: 'complete', missing_fields: [] } },
      [`GET /v2/users/${USER}/documents`]: { value: [{ id: 'd-1', documentType: 'passport', documentName: 'passport.pdf' }] },
      [`PATCH /v2/users/${USER}/documents/d-1`]: {
        id: 'd-1',
        documentType: 'passport',
        uploadURL: 'https://files.test/d-1-again',
      },
    });
    const result = await onboardUser(new WallexAdapter({ client: async () => second.client, progress }), {
      ...ctx,
      documents: files(),
    });
    expect(result).toMatchObject({ profileId: USER, status: 'pending', created: false });
    expect(second.calls).toEqual([
      `GET /v2/users/${USER}`,
      `GET /v2/users/${USER}/detail`,
      `GET /v2/users/${USER}/documents`,
      `PATCH /v2/users/${USER}/documents/d-1`,
      'UPLOAD https://files.test/d-1-again',
      `GET /v2/users/${USER}`,
      `POST /v2/users/${USER}/screen`,
    ]);
    expect(second.bodies[`PATCH /v2/users/${USER}/documents/d-1`]).toEqual({ documentName: 'passport.pdf' });
  });

  it('finds the user by e-mail after a sign-up whose answer was lost, instead of signing up again', async () => {
    const progress = memoryProgressStore();
    const lost = scripted({ 'POST /v2/signup': unavailable() });
    await expect(
      onboardUser(new WallexAdapter({ client: async () => lost.client, progress }), { ...ctx, documents: files() }),
    ).rejects.toThrow();

    const retry = scripted({
      ...happyRoutes(),
      'GET /v2/users': {
        value: [
          { id: 'someone-else', email: 'x@example.com' },
          { id: USER, email: 'MEI.LING.TAN@example.com' },
        ],
      },
    });
    const result = await onboardUser(new WallexAdapter({ client: async () => retry.client, progress }), {
      ...ctx,
      documents: files(),
    });
    expect(result).toMatchObject({ profileId: USER, created: false });
    expect(retry.calls.slice(0, 2)).toEqual(['GET /v2/users', `GET /v2/users/${USER}`]);
    expect(retry.calls).not.toContain('POST /v2/signup');
  });

  it('answers a sign-up refused for a registered e-mail by finding that user', async () => {
    const taken = new ProviderInvalidRequest({ provider: 'wallex', httpStatus: 400, providerMessage: 'email already exists' });
    const wallex = scripted({
      ...happyRoutes(),
      'POST /v2/signup': taken,
      'GET /v2/users': [{ userId: USER, email: 'mei.ling.tan@example.com' }],
    });
    const result = await onboardUser(new WallexAdapter({ client: async () => wallex.client, progress: memoryProgressStore() }), {
      ...ctx,
      documents: files(),
    });
    expect(result).toMatchObject({ profileId: USER, created: false });
  });

  it('calls a registered e-mail that cannot be found a conflict', async () => {
    const taken = new ProviderInvalidRequest({ provider: 'wallex', httpStatus: 400, providerMessage: 'email already exists' });
    const notFound = new ProviderInvalidRequest({ provider: 'wallex', httpStatus: 404, code: 'not_found' });
    const wallex = scripted({ 'POST /v2/signup': taken, 'GET /v2/users': notFound });
    const adapter = new WallexAdapter({ client: async () => wallex.client, progress: memoryProgressStore() });
    await expect(onboardUser(adapter, { ...ctx, documents: files() })).rejects.toMatchObject({
      name: 'ProviderConflict',
      code: 'email_registered',
    });
  });

  it('stops before documents and screening when Wallex still reports missing fields, naming them', async () => {
    const wallex = scripted({
      ...happyRoutes(),
      [`PATCH /v2/users/${USER}/detail`]: {
        status: { value: 'incomplete', missing_fields: ['nationality', 'residentialAddress'] },
      },
    });
    const adapter = new WallexAdapter({ client: async () => wallex.client, progress: memoryProgressStore() });
    const error = await onboardUser(adapter, { ...ctx, documents: files() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderInvalidRequest);
    expect(error).toMatchObject({ code: 'missing_fields', missingFields: ['nationality', 'residentialAddress'] });
    expect(wallex.calls.at(-1)).toBe(`PATCH /v2/users/${USER}/detail`);
  });

  it('reports an undocumented status as unknown with the raw word, and sends nothing', async () => {
    const wallex = scripted({ [`GET /v2/users/${USER}`]: { id: USER, status: 'pending_docs' } });
    const adapter = new WallexAdapter({ client: async () => wallex.client, progress: memoryProgressStore() });
    const result = await onboardUser(adapter, { ...ctx, documents: files(), profileId: USER });
    expect(result).toEqual({ profileId: USER, status: 'unknown', created: false, providerStatus: 'pending_docs' });
    expect(wallex.calls).toEqual([`GET /v2/users/${USER}`]);
  });

  it('after a resubmission request, screens again only once a replaced file went up', async () => {
    const progress = memoryProgressStore();
    await onboardUser(new WallexAdapter({ client: async () => scripted(happyRoutes()).client, progress }), {
      ...ctx,
      documents: files(),
    });
    const resubmit = {
      ...happyRoutes('document_needs_resubmission'),
      [`GET /v2/users/${USER}/documents`]: { value: [{ id: 'd-1', documentType: 'passport' }] },
      [`PATCH /v2/users/${USER}/documents/d-1`]: { id: 'd-1', uploadURL: 'https://files.test/d-1-new' },
    };

    const same = scripted(resubmit);
    const unchanged = await onboardUser(new WallexAdapter({ client: async () => same.client, progress }), {
      ...ctx,
      documents: files(),
    });
    expect(unchanged).toMatchObject({ status: 'needs_documents', providerStatus: 'document_needs_resubmission' });
    // The same file: no upload and no second screening, only the status read back.
    expect(same.calls).toEqual([`GET /v2/users/${USER}`, `GET /v2/users/${USER}/documents`, `GET /v2/users/${USER}`]);

    const replaced = scripted(resubmit);
    const result = await onboardUser(new WallexAdapter({ client: async () => replaced.client, progress }), {
      ...ctx,
      documents: files(new Uint8Array([...PDF, 1])),
    });
    expect(result).toMatchObject({ status: 'pending', providerStatus: 'pending_approval' });
    expect(replaced.calls.slice(-4)).toEqual([
      `PATCH /v2/users/${USER}/documents/d-1`,
      'UPLOAD https://files.test/d-1-new',
      `GET /v2/users/${USER}`,
      `POST /v2/users/${USER}/screen`,
    ]);
  });

  it('maps the documented statuses on a status check', async () => {
    for (const [word, status] of [
      ['approved', 'verified'],
      ['documents_need_resubmission', 'needs_documents'],
      ['closed', 'rejected'],
    ]) {
      const wallex = scripted({ [`GET /v2/users/${USER}`]: { id: USER, status: word } });
      const adapter = new WallexAdapter({ client: async () => wallex.client, progress: memoryProgressStore() });
      expect(await adapter.getProfileStatus({ ...ctx, profileId: USER })).toMatchObject({ status, providerStatus: word });
    }
  });

  it('declares one required slot per document type and no virtual account', () => {
    const adapter = new WallexAdapter({ client: async () => scripted({}).client, progress: memoryProgressStore() });
    const twoDocs = wallexRequest({ documents: ['passport', 'utility_bill'] }) as unknown as OnboardingRequest;
    expect(adapter.requiredDocuments(twoDocs)).toEqual([
      { slot: 'passport', required: true },
      { slot: 'utility_bill', required: true },
    ]);
    expect(adapter.needsVirtualAccount()).toBe(false);
    expect(() => adapter.requiredDocuments({ provider: 'straitsx' } as OnboardingRequest)).toThrow(/Wallex adapter/);
  });
});

describe('Wallex secret', () => {
  const base = { apiKey: 'k', accessKeyId: 'a', secretAccessKey: 's' };

  it('takes the keys, and the webhook header name and value together or not at all', () => {
    expect(wallexSecretSchema.safeParse(base).success).toBe(true);
    expect(
      wallexSecretSchema.safeParse({ ...base, webhookHeaderName: 'X-Token', webhookHeaderValue: 'v'.repeat(32) }).success,
    ).toBe(true);
    const half = wallexSecretSchema.safeParse({ ...base, webhookHeaderName: 'X-Token' });
    expect(half.error?.issues.map((i) => i.path.join('.'))).toEqual(['webhookHeaderValue']);
    expect(wallexSecretSchema.safeParse({ apiKey: 'k' }).error?.issues.map((i) => i.path.join('.'))).toEqual([
      'accessKeyId',
      'secretAccessKey',
    ]);
  });
});
