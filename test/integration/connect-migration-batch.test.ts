import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getObjectText } from '../../functions/shared/s3-objects';
import { type Runtime, startRuntime } from '../../local/runtime';
import { api, bucketKeys, personalRequest, settled } from './harness';

/**
 * A merchant's whole Connect user base moved in one batch, against the StraitsX sandbox with random
 * server errors: revoked tokens, accounts whose number does not carry over, users migrated one by one
 * beforehand, and rows the single migration's rules refuse.
 */
let runtime: Runtime;

// BATCH_TEST_USERS runs a smaller batch on a busy machine; the mix of users stays the same.
const USERS = Number(process.env.BATCH_TEST_USERS ?? 200);
// The sandbox and the shared budget both run ten times StraitsX's sandbox rate, so the run fits in a test.
const RATE = 50;

beforeAll(async () => {
  process.env.STRAITSX_RATE_PER_SECOND = String(RATE - 5);
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 2_000, batchMaxConcurrency: 8 });
  runtime.straitsx.setRatePerSecond(RATE);
}, 30_000);
afterAll(async () => {
  await runtime?.stop();
  delete process.env.STRAITSX_RATE_PER_SECOND;
});

type Kind = 'migrate' | 'revoked' | 'mismatch' | 'before';

interface User {
  kind: Kind;
  request: { merchantRef: string; userApiToken: string; customer: Record<string, unknown> };
  accountNo: string;
}

function connectUser(kind: Kind): User {
  const { customer, merchantRef } = personalRequest();
  const userApiToken = `tok_${randomBytes(24).toString('base64url')}`;
  const phoneNo = `+65 9${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  const { accountNo } = runtime.straitsx.addConnectUser({
    userApiToken,
    merchantRef,
    phoneNo,
    breakMigration: kind === 'mismatch',
  });
  if (kind === 'revoked') runtime.straitsx.revokeConnectUser(userApiToken);
  return { kind, request: { merchantRef, userApiToken, customer }, accountNo };
}

const jsonLines = (rows: readonly unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** Opens a batch, PUTs the manifest at the presigned URL and waits for the batch to end. */
async function runBatch(manifest: string) {
  const opened = await api(runtime, 'POST', '/migrations/connect/batches', {});
  expect(opened.status).toBe(201);
  const { batchId, uploadUrl } = opened.body as { batchId: string; uploadUrl: string };
  const put = await fetch(uploadUrl, { method: 'PUT', body: manifest });
  expect(put.status).toBe(200);
  const deadline = Date.now() + 240_000;
  for (;;) {
    // Each look reads every user's record: a slow poll leaves the cores to the batch.
    const { body } = await api(runtime, 'GET', `/migrations/connect/batches/${batchId}`);
    if (['COMPLETED', 'REFUSED', 'FAILED'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`batch ${batchId} did not end: ${JSON.stringify(body).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

async function reportOf(batchId: string) {
  return JSON.parse(await getObjectText(runtime.env.BUCKET_NAME!, `migration-batches/${batchId}/report.json`)) as {
    rows: { row: number; migrationId: string; merchantRef: string; outcome: string; previous?: string }[];
    totals: Record<string, number>;
  };
}

const EXPECTED: Record<Kind, string> = {
  migrate: 'MIGRATED',
  revoked: 'NEEDS_ATTENTION',
  mismatch: 'MISMATCH',
  before: 'SKIPPED',
};

describe('Connect migration batch through the embedded stack (StraitsX sandbox with faults)', () => {
  it(`migrates ${USERS} users: a report row per user, one profile and one account each, and a re-run skips them all`, async () => {
    const kinds: Kind[] = Array.from({ length: USERS }, (_, i) =>
      i % 20 === 3 ? 'revoked' : i % 20 === 7 ? 'mismatch' : i % 20 === 11 ? 'before' : 'migrate',
    );
    const users = kinds.map(connectUser);
    // Some users were migrated one by one before the batch.
    for (const user of users.filter((u) => u.kind === 'before')) {
      const { body } = await api(runtime, 'POST', '/migrations/connect', user.request);
      await settled(runtime, body.migrationId as string);
    }
    const invalid = [
      { ...users[0]!.request, merchantRef: 'has spaces in it' },
      { ...users[1]!.request, userApiToken: '' },
    ];
    runtime.straitsx.setFaults({ error5xx: 0.05, seed: 7 });
    const manifest = jsonLines([...users.map((u) => u.request), ...invalid]);

    const done = await runBatch(manifest);
    runtime.straitsx.clearFaults();

    expect(done.status).toBe('COMPLETED');
    // Refused rows are named by row, field and rule; never a value.
    expect(done.refused).toEqual([
      { row: USERS + 1, field: 'merchantRef', rule: expect.stringContaining('merchant_ref') },
      { row: USERS + 2, field: 'userApiToken', rule: expect.stringContaining('required') },
    ]);
    expect(JSON.stringify(done)).not.toContain(users[1]!.request.userApiToken);

    const report = await reportOf(done.batchId);
    expect(report.rows).toHaveLength(USERS);
    for (const [i, user] of users.entries()) {
      const row = report.rows.find((r) => r.row === i + 1);
      expect(row, `row ${i + 1}`).toMatchObject({ merchantRef: user.request.merchantRef, outcome: EXPECTED[user.kind] });
      if (user.kind === 'before') expect(row?.previous).toBe('MIGRATED');
    }
    const count = (kind: Kind) => kinds.filter((k) => k === kind).length;
    expect(report.totals).toEqual({
      MIGRATED: count('migrate'),
      MISMATCH: count('mismatch'),
      REJECTED: 0,
      NEEDS_ATTENTION: count('revoked'),
      FAILED: 0,
      SKIPPED: count('before'),
    });
    expect(done.counts).toEqual(report.totals);
    // No personal data in the report, the manifest or the batch's state.
    const reportText = JSON.stringify(report);
    for (const user of users.slice(0, 20)) {
      expect(reportText).not.toContain(user.request.customer.registrationId as string);
      expect(reportText).not.toContain(user.request.userApiToken);
    }

    // The sandbox holds one profile and one account per user it accepted; none for a revoked token.
    const profiles = runtime.straitsx.profiles();
    const accounts = runtime.straitsx.virtualAccounts();
    for (const user of users) {
      const theirs = profiles.filter((p) => p.attributes.registrationId === user.request.customer.registrationId);
      const theirAccounts = accounts.filter((a) => a.referenceId === user.request.merchantRef);
      if (user.kind === 'revoked') {
        expect(theirAccounts).toHaveLength(0);
        continue;
      }
      expect(theirs, user.request.merchantRef).toHaveLength(1);
      expect(theirAccounts, user.request.merchantRef).toHaveLength(1);
      if (user.kind !== 'mismatch') expect(theirAccounts[0]).toMatchObject({ accountNo: user.accountNo });
    }
    const completed = runtime.cloud.events.published().filter((e) => e['detail-type'] === 'Connect Migration Batch Completed');
    expect(completed.map((e) => e.detail)).toEqual([expect.objectContaining({ batchId: done.batchId, counts: report.totals })]);
    // The upload (tokens and profiles) is gone once taken.
    expect((await bucketKeys()).filter((k) => k.startsWith('migration-uploads/'))).toEqual([]);

    // The same manifest again: every user is skipped, nothing new at StraitsX.
    const requestsBefore = runtime.straitsx.requests().length;
    const again = await runBatch(manifest);
    const second = await reportOf(again.batchId);
    expect(second.totals).toMatchObject({ SKIPPED: USERS, MIGRATED: 0, FAILED: 0 });
    expect(runtime.straitsx.requests().length).toBe(requestsBefore);
    expect(runtime.straitsx.virtualAccounts()).toHaveLength(accounts.length);
  }, 600_000);
});
