import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type StraddleSandbox, startStraddleSandbox } from '../../../local/sandboxes/straddle';
import { customerFor, startReceiver, WEBHOOK_SECRET } from '../straddle/sandbox-fixture';
import { eventually } from '../wallex/sandbox-harness';

const API_KEY = 'sk_test_straddle_sandbox_key';

let receiver: Awaited<ReturnType<typeof startReceiver>>;
const running: StraddleSandbox[] = [];
let root: string;

const start = async (dataDir: string) => {
  const sandbox = await startStraddleSandbox({
    apiKey: API_KEY,
    dataDir,
    backgroundDelayMs: 400,
    webhook: { url: receiver.url, secret: WEBHOOK_SECRET, retryDelaysMs: [0, 300, 300] },
  });
  running.push(sandbox);
  return sandbox;
};

async function create(sandbox: StraddleSandbox, key: string, body: object) {
  const res = await fetch(`${sandbox.url}/v1/customers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    body: (await res.json()) as { data: { id: string } },
  };
}

const eventsFor = (id: string) =>
  receiver.received
    .map((r) => JSON.parse(r.raw) as { event_type: string; data: { id: string; status: string } })
    .filter((e) => e.data.id === id);

beforeAll(async () => {
  receiver = await startReceiver();
  root = mkdtempSync(join(tmpdir(), 'straddle-data-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  receiver.reset();
});
afterAll(async () => {
  await receiver.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('Straddle sandbox data across restarts', () => {
  it('keeps customers, idempotency keys and the account id, and finishes checks that were running at the stop', async () => {
    const dir = join(root, 'stop-start');
    const first = await start(dir);
    const body = customerFor('restart', { config: { processing_method: 'background', sandbox_outcome: 'verified' } });
    const created = await create(first, 'key-restart-0001', body);
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    await first.stop();

    const second = await start(dir);
    expect(second.restored).toBe(true);
    expect(second.accountId).toBe(first.accountId);
    const replay = await create(second, 'key-restart-0001', body);
    expect(replay).toMatchObject({ status: 201, replayed: 'true', body: { data: { id } } });
    expect(second.customers()).toHaveLength(1);
    // The background checks were still running when the first process stopped: their verdict comes now.
    await eventually(() => second.customers()[0]?.status === 'verified', 3000);
    await eventually(() => eventsFor(id).some((e) => e.data.status === 'verified'), 3000);
  });

  it('delivers after a kill -9 the webhook that was waiting for its retry', async () => {
    const dir = join(root, 'killed');
    const first = await start(dir);
    receiver.script.push(503);
    const created = await create(first, 'key-killed-00001', customerFor('killed', { config: { sandbox_outcome: 'verified' } }));
    const id = created.body.data.id;
    await eventually(() => first.deliveries().some((d) => d.status === 503));
    const copy = `${dir}-copy`;
    cpSync(dir, copy, { recursive: true });
    await first.stop();
    const failedEvent = first.deliveries().find((d) => d.status === 503)!;

    const second = await start(copy);
    await eventually(() => second.deliveries().some((d) => d.eventId === failedEvent.eventId && d.status === 200), 3000);
    expect(second.customers().map((c) => c.id)).toEqual([id]);
  });
});
