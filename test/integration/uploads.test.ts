import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentUploaded } from '../../functions/onboarding/documents';
import { getOnboarding } from '../../functions/store/onboardings';
import { type Runtime, startRuntime } from '../../local/runtime';
import { personalPlus } from '../unit/straitsx/plus-fixtures';
import { api, until, view, waitingFor } from './harness';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 3_000, callbackRetryMs: 20 });
});
afterAll(async () => {
  await runtime?.stop();
});

const png = (size: number) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(size - 8, 1)]);
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(size - 9, 2)]);
let counter = 0;

async function waitingForDocuments() {
  counter += 1;
  const accepted = await api(runtime, 'POST', '/onboardings', {
    provider: 'straitsx',
    profileType: 'CP+',
    merchantRef: `upl-${process.pid}-${counter}`,
    customer: personalPlus({
      registrationId: `U${String(process.pid).slice(-3)}${String(counter).padStart(4, '0')}P`,
      email: `upl${counter}@example.net`,
    }),
  });
  expect(accepted.status).toBe(202);
  const id = accepted.body.onboardingId as string;
  await waitingFor(runtime, id, 'documents');
  return id;
}

const grant = async (id: string, slot: string, contentType: string, size: number) => {
  const res = await api(runtime, 'POST', `/onboardings/${id}/documents`, { slot, contentType, size });
  expect(res.status).toBe(201);
  return res.body as { uploadUrl: string; headers: Record<string, string> };
};

const documentOf = async (id: string, slot: string) =>
  until(async () => {
    const doc = (await view(runtime, id)).documents.find((d: { slot: string }) => d.slot === slot);
    return doc.status === 'missing' ? undefined : (doc as { status: string; reason?: string });
  });

describe('presigned uploads', () => {
  it('signs the granted content type and length into the URL', async () => {
    const id = await waitingForDocuments();
    const { uploadUrl } = await grant(id, 'identityDocuments.idFront', 'image/png', 2056);
    expect(new URL(uploadUrl).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-type', 'content-length', 'host']),
    );
  });

  it('refuses an upload larger than its grant, of another type than granted, stored with another Content-Type or a Content-Encoding', async () => {
    const id = await waitingForDocuments();
    const slot = 'identityDocuments.idFront';
    const cases: Array<[string, string, Buffer, string, RegExp, Record<string, string>?]> = [
      ['22 KB on a 2,056-byte grant', 'image/png', png(22 * 1024), 'image/png', /larger than the 2056 bytes granted/],
      ['PDF bytes on an image/png grant', 'image/png', pdf(2056), 'image/png', /content is not the image\/png granted/],
      ['a PUT with content-type text/html', 'image/png', png(2056), 'text/html', /Content-Type is not the image\/png granted/],
      // Stored with its encoding, every reader would unpack it: the size checked would not be the size read.
      [
        'a gzip-encoded PUT',
        'image/png',
        gzipSync(png(2056)),
        'image/png',
        /declares a Content-Encoding/,
        { 'content-encoding': 'gzip' },
      ],
    ];
    for (const [what, granted, bytes, sentType, rule, extra] of cases) {
      const { uploadUrl } = await grant(id, slot, granted, 2056);
      // Sent as a client that ignores the grant would. S3 refuses these by the signature; the local S3 checks
      // no signatures and stores them, which is what the check on arrival is for.
      const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'content-type': sentType, ...extra }, body: bytes });
      expect(put.status, what).toBe(200);
      const doc = await until(async () => {
        const current = await documentOf(id, slot);
        return current.reason && rule.test(current.reason) ? current : undefined;
      });
      expect(doc, what).toMatchObject({ status: 'rejected', reason: expect.stringMatching(rule) });
    }
    const record = await view(runtime, id);
    expect(record).toMatchObject({ status: 'AWAITING_DOCUMENTS', waitingFor: 'documents' });
    // Nothing went to the provider: no profile was created with the refused files.
    expect(record.providerIds.profileId).toBeUndefined();

    const ok = await grant(id, slot, 'image/png', 2056);
    expect((await fetch(ok.uploadUrl, { method: 'PUT', headers: ok.headers, body: png(2056) })).status).toBe(200);
    await until(async () => ((await documentOf(id, slot)).status === 'received' ? true : undefined));
  });

  it('keeps a received document when a refused upload or a repeated notification comes after it', async () => {
    const id = await waitingForDocuments();
    const slot = 'identityDocuments.idFront';
    const good = await grant(id, slot, 'image/png', 2056);
    expect((await fetch(good.uploadUrl, { method: 'PUT', headers: good.headers, body: png(2056) })).status).toBe(200);
    await until(async () => ((await documentOf(id, slot)).status === 'received' ? true : undefined));
    const received = await getOnboarding(id);

    // The same object announced again (S3 notifications come at least once), after its grant is long gone.
    const key = received.documents![slot]!.key;
    await documentUploaded(key);
    // A second upload with the wrong bytes for the same slot.
    const bad = await grant(id, slot, 'image/png', 2056);
    await fetch(bad.uploadUrl, { method: 'PUT', headers: bad.headers, body: pdf(2056) });
    const refused = await until(async () => {
      const current = await getOnboarding(id);
      return current.timeline.some((t) => t.step === 'document' && t.status === 'rejected') ? current : undefined;
    });

    expect(refused.documents![slot]).toEqual(received.documents![slot]);
    expect(await documentOf(id, slot)).toMatchObject({ status: 'received' });
    expect(refused.timeline.filter((t) => t.step === 'document' && t.status === 'received')).toHaveLength(1);
  });
});
