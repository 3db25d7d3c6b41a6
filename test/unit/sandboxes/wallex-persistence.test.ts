import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWallexSandbox, type WallexSandbox } from '../../../local/sandboxes/wallex';
import {
  ACCESS_KEY_ID,
  API_KEY,
  eventually,
  type Harness,
  HEADER_NAME,
  HEADER_VALUE,
  memoryDocuments,
  SECRET_ACCESS_KEY,
  startHarness,
} from '../wallex/sandbox-harness';
import { onboardUser } from '../wallex/steps';

let h: Harness;
let dir: string;
let restarted: WallexSandbox | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wallex-data-'));
  h = await startHarness({ dataDir: dir, screeningDelayMs: 500 });
});
afterAll(async () => {
  await restarted?.stop();
  await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Wallex sandbox data across restarts', () => {
  it('keeps users, document bytes and tokens, and gives a screening verdict that was pending at the stop', async () => {
    const { onboardingId, request } = h.onboarding();
    const result = await onboardUser(h.adapter(), { onboardingId, request, documents: memoryDocuments() });
    expect(result).toMatchObject({ status: 'pending', providerStatus: 'pending_approval' });
    const documentsBefore = h.sandbox.documents();
    await h.sandbox.stop();

    restarted = await startWallexSandbox({
      port: h.sandbox.port,
      apiKey: API_KEY,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      ratePerSecond: 0,
      webhook: { url: h.receiver.url, headerName: HEADER_NAME, headerValue: HEADER_VALUE },
      screeningDelayMs: 500,
      dataDir: dir,
    });
    expect(restarted.restored).toBe(true);
    expect(restarted.users().map((u) => u.id)).toEqual([result.profileId]);
    expect(restarted.documents().map((d) => d.body?.length)).toEqual(documentsBefore.map((d) => d.body?.length));
    // A token issued before the restart still opens the API (the client cached it).
    const tokens = restarted.tokensIssued();
    const answer = await h.client().request<{ userId?: string; id?: string }>('GET', `/v2/users/${result.profileId}`);
    expect(JSON.stringify(answer)).toContain(result.profileId);
    expect(restarted.tokensIssued()).toBe(tokens);
    await eventually(() => restarted?.users()[0]?.status === 'approved', 3000);
    await eventually(() => h.receiver.received.some((r) => (r.body as { status?: string }).status === 'approved'), 3000);
  });
});
