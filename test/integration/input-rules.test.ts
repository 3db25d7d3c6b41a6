import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { bucketKeys, tableItems } from './harness';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 3_000 });
});
afterAll(async () => {
  await runtime?.stop();
});

const straddle = JSON.parse(readFileSync(new URL('../../examples/straddle-individual.json', import.meta.url), 'utf8'));
const withCustomer = (patch: Record<string, unknown>) => ({ ...straddle, customer: { ...straddle.customer, ...patch } });

const post = async (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
  const res = await fetch(`${runtime.apiUrl}${path}`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

/** Everything a request could have left behind: table items, objects, executions, provider customers. */
const footprint = async () =>
  JSON.stringify([
    await tableItems(),
    await bucketKeys(),
    runtime.cloud.sfn.pendingTaskTokens().length,
    runtime.straddle.customers().length,
  ]);

describe('bad input is refused at the door, with nothing stored', () => {
  it('answers 415 for a body that is not JSON by its Content-Type, 400 naming a duplicate key', async () => {
    const before = await footprint();
    for (const type of ['text/plain', 'text/html; charset=utf-8', 'application/x-www-form-urlencoded']) {
      const res = await post('/onboardings', JSON.stringify(straddle), { 'content-type': type });
      expect(res.status, type).toBe(415);
      expect(res.body.message).toMatch(/application\/json or a \+json media type/);
    }
    const duplicate = JSON.stringify(straddle).replace('"name":"Ada Lovelace"', '"name":"Ada Lovelace","name":"Eve"');
    const res = await post('/onboardings', duplicate);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'customer.name', message: expect.stringMatching(/more than once/) }]);
    expect(await footprint()).toBe(before);
  });

  it('refuses control and bidirectional characters and over-long text, and bodies past the bound', async () => {
    const before = await footprint();
    const hidden = await post('/onboardings', JSON.stringify(withCustomer({ name: 'Ada\u0000 \u001b[0m\u202Eecalevol' })));
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors).toEqual([
      { path: 'customer.name', message: expect.stringMatching(/^name must not contain control, bidirectional/) },
    ]);
    const address = { address1: 'x'.repeat(5_000), city: 'New York', state: 'NY', zip: '10001' };
    const long = await post('/onboardings', JSON.stringify(withCustomer({ address })));
    expect(long.status).toBe(400);
    expect(long.body.errors).toContainEqual({
      path: 'customer.address.address1',
      message: 'address1 must be at most 100 characters',
    });
    const huge = await post('/onboardings', JSON.stringify(withCustomer({ name: 'A'.repeat(1024 * 1024) })));
    expect(huge.status).toBe(413);
    expect(await footprint()).toBe(before);
  });

  it('checks a webhook signature before its media type, and refuses a signed body that is not JSON by type or repeats a key', async () => {
    const body = JSON.stringify({
      data: { id: 'cp_unknown', type: 'customer_profile', attributes: { verificationStatus: 'verified' } },
    });
    const sign = (text: string) => createHmac('sha256', runtime.secrets.straitsx.callbackSigningKey).update(text).digest('hex');
    const path = '/webhooks/straitsx/cpVerificationStatusUpdated';
    expect((await post(path, body, { 'content-type': 'text/plain' })).status).toBe(401);
    expect((await post(path, body, { 'content-type': 'text/plain', 'Xfers-Signature': sign(body) })).status).toBe(415);
    const twice = body.replace(
      '"verificationStatus":"verified"',
      '"verificationStatus":"verified","verificationStatus":"rejected"',
    );
    const repeated = await post(path, twice, { 'content-type': 'application/json', 'Xfers-Signature': sign(twice) });
    expect(repeated).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/data\.attributes\.verificationStatus/) },
    });

    const id = `msg_${randomUUID()}`;
    const event = JSON.stringify({ event_type: 'customer.event.v1', event_id: randomUUID(), account_id: randomUUID(), data: {} });
    const at = new Date();
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(runtime.secrets.straddle.webhookSecret).sign(id, at, event),
    };
    expect((await post('/webhooks/straddle', event, { ...headers, 'content-type': 'text/plain' })).status).toBe(415);
  });
});
