import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRuntime } from '../../local/runtime';
import { createConnectUser, revokeConnectUser } from '../../local/sandbox-commands';
import { api, personalRequest, until } from './harness';

// Its own file: the stack it starts and restarts must be the only one the functions of this process see.
describe('Trying a Connect migration on npm start (a data folder, the sandbox route, a restart)', () => {
  it('migrates a user put in through the sandbox route, keeps them across a restart, and needs attention once revoked', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onboard-start-'));
    // A fixed sandbox port, as `npm start` has: the functions of this process keep the URL they first read.
    const probe = createServer();
    const straitsxPort = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    const options = { dataDir, straitsxPort, retryScale: 0.001, logFile: false as const, providerTimeoutMs: 2_000 };
    let stack = await startRuntime(options);
    try {
      const target = () => ({ baseUrl: stack.straitsx.url, apiKey: stack.secrets.straitsx.apiKey });
      const user = await createConnectUser(target());
      const { customer } = personalRequest();
      const accepted = await api(stack, 'POST', '/migrations/connect', {
        merchantRef: user.merchantRef,
        userApiToken: user.userApiToken,
        customer,
      });
      expect(accepted.status).toBe(202);
      const done = await until(async () => {
        const { body } = await api(stack, 'GET', `/onboardings/${accepted.body.migrationId}`);
        return body.status === 'COMPLETED' || body.status === 'FAILED' ? body : undefined;
      }, 20_000);
      expect(done).toMatchObject({ status: 'COMPLETED', virtualAccount: { accountNo: user.accountNo } });

      // A second user, then a restart on the same folder: the sandbox still knows their token.
      const second = await createConnectUser(target());
      await stack.stop();
      stack = await startRuntime(options);
      expect(stack.straitsx.restored).toBe(true);
      expect(stack.straitsx.virtualAccounts().map((a) => a.accountNo)).toContain(user.accountNo);
      await revokeConnectUser(target(), second.userApiToken);
      const revoked = await api(stack, 'POST', '/migrations/connect', {
        merchantRef: second.merchantRef,
        userApiToken: second.userApiToken,
        customer: personalRequest().customer,
      });
      const ended = await until(async () => {
        const { body } = await api(stack, 'GET', `/onboardings/${revoked.body.migrationId}`);
        return ['NEEDS_ATTENTION', 'FAILED', 'COMPLETED'].includes(body.status) ? body : undefined;
      }, 20_000);
      expect(ended).toMatchObject({ status: 'NEEDS_ATTENTION' });
    } finally {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
