import { existsSync, mkdirSync } from 'node:fs';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { api, executionsOf, view, waitingFor } from '../integration/harness';
import { personalPlus } from '../unit/straitsx/plus-fixtures';

/**
 * The console driven through a real browser (headless Chromium from the OS, driven by playwright-core):
 * what an operator sees and does, checked on the page and again through the API.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SKIP_REASON = `skipped: no Chromium at ${CHROMIUM} (install it with apt-get install chromium, as .ci/run does, or set CHROMIUM_PATH)`;
if (!hasChromium) console.warn(`test/browser/console.test.ts ${SKIP_REASON}`);

/** Where a failing test leaves its screenshot (git-ignored). */
const FAILURE_SHOTS = 'test/browser/failures';
/** Set UPDATE_SCREENSHOTS=1 to rewrite the README's screenshots under docs/. */
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(64, 2)]);
let counter = 0;
function straddleRequest(outcome: 'verified' | 'review') {
  counter += 1;
  return {
    provider: 'straddle',
    merchantRef: `console-${process.pid}-${counter}`,
    customer: {
      name: 'Ada Lovelace',
      type: 'individual',
      email: `ada.console.${process.pid}.${counter}@example.com`,
      phone: '+12125550123',
      device: { ip_address: '203.0.113.7' },
      compliance_profile: { dob: '1985-12-10', ssn: '123-45-6789' },
      config: { sandbox_outcome: outcome },
    },
  };
}

describe.skipIf(!hasChromium)(`the console in a browser (${hasChromium ? 'Chromium found' : SKIP_REASON})`, () => {
  let runtime: Runtime;
  let browser: Browser;
  let page: Page;
  let reviewId: string;

  beforeAll(async () => {
    runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 3_000, sweepIntervalMs: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      mkdirSync(FAILURE_SHOTS, { recursive: true });
      await page.screenshot({ path: `${FAILURE_SHOTS}/${task.name.replace(/\W+/g, '-')}.png`, fullPage: true });
    });
  });

  const consoleUrl = (path = '') => `${runtime.apiUrl}/console${path}`;
  /** The text of the live part of the page (what polling keeps current). */
  const liveText = () => page.locator('#live').innerText();

  it('lists onboardings with filters, opens one, and shows its execution as a graph with its history', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', straddleRequest('review'));
    reviewId = accepted.body.onboardingId;
    await waitingFor(runtime, reviewId, 'verification');

    await page.goto(consoleUrl());
    await page.getByLabel('Provider').selectOption('straddle');
    await page.getByLabel('Waits for').selectOption('verification');
    await page.getByRole('button', { name: 'Filter' }).press('Enter');
    await expect.poll(() => page.url()).toContain('provider=straddle');
    const row = page.getByRole('link', { name: reviewId });
    await row.focus();
    await page.keyboard.press('Enter');

    await expect.poll(liveText).toContain('AWAITING_PROVIDER');
    const text = await liveText();
    expect(text).toContain((await view(runtime, reviewId)).providerIds.profileId);
    expect(text).toContain('Executions');
    // The vault stays closed: nothing the customer gave appears, only ids and statuses.
    for (const personal of ['Ada', 'Lovelace', 'example.com', '123-45-6789', '1985-12-10', '+1212']) {
      expect(await page.content()).not.toContain(personal);
    }
    if (UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/console-onboarding.png' });

    await page.getByRole('link', { name: reviewId, exact: true }).last().click();
    await expect.poll(() => page.locator('svg.graph').count()).toBe(1);
    // It stands in the wait for a verdict, reached through the states it entered.
    await expect.poll(() => page.locator('g.state.current').getAttribute('data-state')).toBe('WaitForVerdict');
    expect(await page.locator('g.state.visited[data-state="CreateProfile"]').count()).toBe(1);
    expect(await page.locator('g.state.visited[data-state="RecordCompleted"]').count()).toBe(0);
    const history = await page.getByRole('table', { name: 'History' }).innerText();
    expect(history).toContain('ExecutionStarted');
    expect(history).toContain('TaskStateEntered');
    expect(history).toContain(`"onboardingId": "${reviewId}"`);
    if (UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/console-execution.png', fullPage: false });
  });

  it('decides a review from the onboarding page, and the page follows the onboarding to COMPLETED', async () => {
    await page.goto(consoleUrl(`/onboardings/${reviewId}`));
    await page.getByLabel('Decision').selectOption('verified');
    await page.getByLabel('Operator id').fill('ops.console');
    await page.getByRole('button', { name: 'Decide review' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Review decided: verified');
    // Live: the page updates itself as the execution finishes, without a reload.
    await expect.poll(liveText, { timeout: 15_000 }).toContain('Onboarding Completed');
    expect(await liveText()).toContain('COMPLETED');
    expect((await view(runtime, reviewId)).status).toBe('COMPLETED');
  });

  it('starts a new execution with the same input, which changes nothing at the provider', async () => {
    const [original] = await executionsOf(runtime, reviewId);
    await page.goto(consoleUrl(`/executions/${encodeURIComponent(original!.executionArn!)}`));
    await page.getByRole('button', { name: 'New execution with the same input' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('with the same input');
    await expect.poll(() => page.locator('h1').innerText()).toContain('-replay-');
    await expect.poll(() => page.locator('h1').innerText(), { timeout: 15_000 }).toContain('SUCCEEDED');

    const executions = await executionsOf(runtime, reviewId);
    expect(executions).toHaveLength(2);
    const sfn = new SFNClient({});
    const [a, b] = await Promise.all(
      executions.map((e) => sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn! }))),
    );
    expect(a!.input).toBe(b!.input);
    expect(runtime.straddle.customers().filter((c) => c.external_id === reviewId)).toHaveLength(1);
    expect((await view(runtime, reviewId)).status).toBe('COMPLETED');
  });

  it('queues a sandbox fault that fails an execution, then redrives it to the end', async () => {
    await page.goto(consoleUrl('/sandboxes'));
    const faults = page.getByRole('form', { name: 'Queue faults' });
    await faults.getByLabel('Provider').selectOption('straddle');
    await faults.getByLabel('Kind').selectOption('error5xx');
    await faults.getByLabel('HTTP status').fill('401');
    await faults.getByLabel('Only paths containing').fill('/customers');
    await faults.getByRole('button', { name: 'Queue faults' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('queued at the straddle sandbox');

    // A 401 is not retried: the execution fails at CreateProfile and the record says FAILED.
    const accepted = await api(runtime, 'POST', '/onboardings', straddleRequest('verified'));
    const id = accepted.body.onboardingId as string;
    await expect.poll(async () => (await view(runtime, id)).status, { timeout: 15_000 }).toBe('FAILED');

    await page.goto(consoleUrl(`/onboardings/${id}`));
    expect(await liveText()).toContain('FAILED');
    await page.getByRole('link', { name: id, exact: true }).click();
    await expect.poll(() => page.locator('g.state.failed').getAttribute('data-state')).toBe('CreateProfile');
    await page.getByRole('button', { name: 'Redrive' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Redriven at');
    await expect.poll(() => page.locator('h1').innerText(), { timeout: 15_000 }).toContain('SUCCEEDED');
    expect(await page.locator('#live dl').innerText()).toMatch(/Redrives\s+1/);

    await expect.poll(async () => (await view(runtime, id)).status, { timeout: 15_000 }).toBe('COMPLETED');
    expect(await executionsOf(runtime, id)).toHaveLength(1);
  });

  it('uploads the documents and verifies a StraitsX CP+ profile at the sandbox, from the onboarding page', async () => {
    counter += 1;
    const accepted = await api(runtime, 'POST', '/onboardings', {
      provider: 'straitsx',
      profileType: 'CP+',
      merchantRef: `console-plus-${process.pid}-${counter}`,
      customer: personalPlus({
        registrationId: `T${String(process.pid).slice(-3)}${String(counter).padStart(4, '0')}C`,
        email: `console${counter}@example.net`,
      }),
    });
    const id = accepted.body.onboardingId as string;
    await waitingFor(runtime, id, 'documents');
    const slots = (await view(runtime, id)).documents.map((d: { slot: string }) => d.slot) as string[];

    await page.goto(consoleUrl(`/onboardings/${id}`));
    const upload = page.getByRole('form', { name: 'Upload a document' });
    for (const slot of slots) {
      const pdf = slot.endsWith('proofOfAddress');
      await upload.getByLabel('Slot').selectOption(slot);
      await upload.getByLabel(/^File/).setInputFiles({
        name: pdf ? 'document.pdf' : 'document.png',
        mimeType: pdf ? 'application/pdf' : 'image/png',
        buffer: pdf ? PDF : PNG,
      });
      await upload.getByRole('button', { name: 'Upload document' }).click();
      await expect.poll(() => page.getByRole('status').innerText()).toContain(`for slot ${slot}`);
    }
    await waitingFor(runtime, id, 'verification');
    await expect
      .poll(async () => (await view(runtime, id)).documents.map((d: { status: string }) => d.status), { timeout: 15_000 })
      .toEqual(slots.map(() => 'received'));

    await page.reload();
    const rfi = page.getByRole('form', { name: 'Raise a request for information' });
    await rfi.getByRole('button', { name: 'Raise an RFI' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toMatch(/^StraitsX sandbox: \S+/);
    await expect
      .poll(async () => Object.keys((await view(runtime, id)).informationRequests ?? {}).length, { timeout: 15_000 })
      .toBe(1);
    await expect.poll(liveText, { timeout: 10_000 }).toContain('Requests for information');

    const verify = page.getByRole('form', { name: "Set the profile's verification" });
    await verify.getByLabel('Verification').selectOption('verified');
    await verify.getByRole('button', { name: 'Set profile verification' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('verified');
    await expect.poll(async () => (await view(runtime, id)).profileStatus, { timeout: 15_000 }).toBe('verified');
    await expect.poll(liveText, { timeout: 15_000 }).toMatch(/Profile status\s+verified/);
  });

  it('adds a Connect user at the StraitsX sandbox without showing its token', async () => {
    const before = runtime.straitsx.requests().filter((r) => r.path.endsWith('/sandbox/connect/users')).length;
    await page.goto(consoleUrl('/sandboxes'));
    await page.getByRole('button', { name: 'Add a Connect user' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Added a Connect user');
    expect(runtime.straitsx.requests().filter((r) => r.path.endsWith('/sandbox/connect/users'))).toHaveLength(before + 1);
    expect(await page.content()).not.toMatch(/userApiToken|token":/);
  });
});
