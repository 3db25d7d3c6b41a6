import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Body, MerchantClient, persistentFetch } from '../../local/merchant';
import { freePorts, StackProcess } from './stack-process';

/**
 * The embedded stack under provider faults and crashes, as a user meets them: `onboard start` in a child
 * process, a mixed batch of onboardings, kill -9 in mid-flight, a restart on the same data folder, the
 * waits completed (uploads, provider callbacks, a review), a second kill -9 while they wait, and every
 * onboarding must end as expected with exactly one customer at each provider and one final event each.
 */

const FAULTS = '5xx=0.2,429=0.1,slow=0.05:12000,drop=0.05,after,seed=7';
const example = (name: string): Body => JSON.parse(readFileSync(resolve('examples', `${name}.json`), 'utf8'));
const WAIT_MS = 120_000;

interface Case {
  name: string;
  request: Body;
  path?: string;
  expected: string;
  id?: string;
}

describe('the embedded stack under provider faults and kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'onboarding-chaos-'));
  const logFile = join(dataDir, 'stack.log');
  let stack: StackProcess | undefined;
  let failed = true;

  afterAll(async () => {
    if (stack?.running) await stack.kill();
    if (failed) process.stderr.write(`chaos run kept in ${dataDir} (stack output: ${logFile})\n`);
    else rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends every onboarding as expected, with one customer per provider and one final event each', async () => {
    const ports = await freePorts();
    const startups: number[] = [];
    const start = async () => {
      const begun = Date.now();
      const started = await StackProcess.start({ dataDir, ports, faults: FAULTS, retryScale: 0.05, logFile });
      startups.push(Date.now() - begun);
      return started;
    };
    stack = await start();
    const merchant = new MerchantClient(() => stack!.info.apiUrl);
    const straitsxSandbox = async (method: string, path: string, body: unknown) => {
      const res = await persistentFetch(`${stack!.info.env.STRAITSX_BASE_URL}/sandbox${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': stack!.info.secrets.straitsx.apiKey },
        body: JSON.stringify(body),
      });
      expect(res.ok, `StraitsX sandbox ${path}: HTTP ${res.status}`).toBe(true);
    };

    const straddle = example('straddle-individual');
    const plus = example('straitsx-plus-personal');
    const cases: Case[] = [
      { name: 'StraitsX basic', request: example('straitsx-personal'), expected: 'COMPLETED' },
      { name: 'StraitsX business', request: example('straitsx-business'), expected: 'COMPLETED' },
      { name: 'StraitsX CP+ with documents', request: plus, expected: 'COMPLETED' },
      { name: 'Wallex with documents', request: example('wallex-individual'), expected: 'COMPLETED' },
      { name: 'Straddle verified', request: straddle, expected: 'COMPLETED' },
      {
        name: 'Straddle in review',
        request: {
          ...straddle,
          merchantRef: 'user-40002',
          customer: { ...straddle.customer, email: 'review@example.com', config: { sandbox_outcome: 'review' } },
        },
        expected: 'COMPLETED',
      },
      {
        name: 'Straddle rejected',
        request: {
          ...straddle,
          merchantRef: 'user-40003',
          customer: { ...straddle.customer, email: 'rejected@example.com', config: { sandbox_outcome: 'rejected' } },
        },
        expected: 'REJECTED',
      },
    ];

    // A legacy Connect user, put into the StraitsX sandbox as `onboard sandbox connect-user` does.
    const legacyUser = await persistentFetch(`${stack.info.env.STRAITSX_BASE_URL}/sandbox/connect/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': stack.info.secrets.straitsx.apiKey },
      body: JSON.stringify({ data: { attributes: {} } }),
    });
    expect(legacyUser.status).toBe(201);
    const legacy = ((await legacyUser.json()) as Body).data.attributes;
    cases.push({
      name: 'Connect migration',
      path: '/migrations/connect',
      request: { ...example('connect-migration'), merchantRef: legacy.merchantRef, userApiToken: legacy.userApiToken },
      expected: 'COMPLETED',
    });

    const started = Date.now();
    for (const c of cases) {
      const accepted = await merchant.call('POST', c.path ?? '/onboardings', c.request);
      expect(accepted.status, `${c.name}: ${JSON.stringify(accepted.body)}`).toBe(202);
      c.id = accepted.body.onboardingId;
    }
    const byName = (name: string) => cases.find((c) => c.name === name)!.id!;

    // Crash while the profiles are being created, before anything has settled.
    await new Promise((r) => setTimeout(r, 1_500));
    await stack.kill();
    stack = await start();

    // The merchant's side of the waits, after the restart.
    await merchant.uploadDocuments(byName('StraitsX CP+ with documents'), WAIT_MS);
    await merchant.uploadDocuments(byName('Wallex with documents'), WAIT_MS);
    const waitingForVerdict = (v: Body) => v.waitingFor === 'verification';
    const plusWaiting = await merchant.until(byName('StraitsX CP+ with documents'), waitingForVerdict, WAIT_MS);
    await merchant.until(byName('Straddle in review'), waitingForVerdict, WAIT_MS);

    // Crash again while executions wait on task tokens: the waits must come back with the same tokens.
    await stack.kill();
    stack = await start();

    await straitsxSandbox('PUT', `/kyc/customer_profiles/${plusWaiting.providerIds.profileId}`, {
      data: { attributes: { verificationStatus: 'verified' } },
    });
    const review = await merchant.call('POST', `/onboardings/${byName('Straddle in review')}/review`, {
      decision: 'verified',
      reason: 'identity confirmed by phone',
      operator: 'chaos.operator',
    });
    expect(review.status, JSON.stringify(review.body)).toBeLessThan(300);

    const finals = new Map<string, Body>();
    for (const c of cases) finals.set(c.name, await merchant.settled(c.id!, WAIT_MS));
    const seconds = (Date.now() - started) / 1000;

    for (const c of cases) expect(`${c.name}: ${finals.get(c.name)!.status}`).toBe(`${c.name}: ${c.expected}`);
    const straitsx = cases.filter((x) => x.request.provider === 'straitsx' || x.path === '/migrations/connect');
    for (const c of straitsx) expect(finals.get(c.name)!.virtualAccount?.status, c.name).toBe('enabled');
    const migrated = finals.get('Connect migration')!;
    expect(migrated.migration?.status).toBe('MIGRATED');
    expect(migrated.virtualAccount.accountNo).toBe(legacy.accountNo);

    // One final event per onboarding, none twice, none failed (the local bus keeps every event it took).
    const eventsFile = join(dataDir, 'aws', 'events.jsonl');
    expect(existsSync(eventsFile)).toBe(true);
    const events = readFileSync(eventsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Body);
    let repeated = 0;
    for (const c of cases) {
      const migration = c.path === '/migrations/connect';
      const mine = events.filter((e) => (migration ? e.detail?.migrationId : e.detail?.onboardingId) === c.id);
      const final = mine.filter((e) =>
        /^(Onboarding|Connect Migration) (Completed|Rejected|Needs Attention|Mismatch|Failed)$/.test(e['detail-type']),
      );
      const kind = migration ? 'Connect Migration' : 'Onboarding';
      const ending = c.expected === 'COMPLETED' ? 'Completed' : 'Rejected';
      // Events are delivered at least once: a kill between PutEvents and the write that marks the event
      // sent repeats it, with the same eventId. One outcome, one eventId.
      const distinct = new Map(final.map((e) => [e.detail.eventId as string, e['detail-type'] as string]));
      expect([...distinct.values()], c.name).toEqual([`${kind} ${ending}`]);
      repeated += final.length - distinct.size;
    }

    // Exactly one customer at each provider, found through the providers' own list endpoints.
    const env = stack.info.env;
    const secrets = stack.info.secrets;
    for (const c of straitsx) {
      const res = await persistentFetch(
        `${env.STRAITSX_BASE_URL}/kyc/customer_profiles?filter[registration_id]=${encodeURIComponent(c.request.customer.registrationId)}`,
        { headers: { 'X-XFERS-APP-API-KEY': secrets.straitsx.apiKey } },
      );
      // StraitsX answers its list as a bare array.
      expect((await res.json()) as unknown[], c.name).toHaveLength(1);
    }
    for (const c of cases.filter((x) => x.request.provider === 'straddle')) {
      const res = await persistentFetch(`${env.STRADDLE_BASE_URL}/v1/customers?external_id=${c.id}`, {
        headers: { authorization: `Bearer ${secrets.straddle.apiKey}` },
      });
      const body = (await res.json()) as Body;
      expect(body.data, c.name).toHaveLength(1);
    }

    // Ctrl-C, then what the sandboxes kept: one virtual account per StraitsX profile, one Wallex user.
    expect(await stack.interrupt()).toBe(0);
    const kept = (provider: string) =>
      JSON.parse(readFileSync(join(dataDir, 'sandboxes', provider, 'state.json'), 'utf8')).parts.store as Body;
    const accounts = (kept('straitsx').accounts as Array<[string, Body]>).map(([, a]) => a.customerProfileId);
    for (const c of straitsx) {
      const profileId = finals.get(c.name)!.providerIds.profileId;
      expect(
        accounts.filter((owner) => owner === profileId),
        c.name,
      ).toHaveLength(1);
    }
    expect(accounts).toHaveLength(straitsx.length);
    const wallexUsers = (kept('wallex').users as Array<[string, Body]>).map(([, u]) => u.email);
    const wallex = cases.find((c) => c.request.provider === 'wallex')!;
    expect(wallexUsers).toEqual([wallex.request.customer.email]);

    process.stdout.write(
      `chaos: ${cases.length} onboardings, 2 kills, settled in ${seconds.toFixed(1)} s, ${repeated} event(s) repeated after a kill, serving again after ${startups.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(' / ')} (first start / restarts)\n`,
    );
    failed = false;
  }, 600_000);
});
