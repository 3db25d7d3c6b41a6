import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../functions/onboarding/events';
import { ConfigError, ORCHESTRATOR_EVENT_SOURCE, parseConfig } from '../../lib/config';
import { cdkJsonContext, expiredFlagsIn } from './synth';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function errorOf(raw: Record<string, unknown>): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the context to be refused');
}

describe('CDK context', () => {
  it('gives every key its default when nothing is set', () => {
    expect(parseConfig({})).toEqual({
      stackName: 'Onboarding',
      merchantId: 'default',
      straitsxBaseUrl: 'https://api-sandbox.straitsx.com/v1',
      merchantEventSource: 'merchant.platform',
      providerTimeoutMs: 10000,
      logRetentionDays: 30,
      alarmEmail: undefined,
    });
  });

  it('accepts values given as strings on the command line', () => {
    const config = parseConfig({ providerTimeoutMs: '2500', logRetentionDays: '90', alarmEmail: 'ops@example.com' });
    expect(config).toMatchObject({ providerTimeoutMs: 2500, logRetentionDays: 90, alarmEmail: 'ops@example.com' });
  });

  it('treats an empty alarmEmail as not set', () => {
    expect(parseConfig({ alarmEmail: '' }).alarmEmail).toBeUndefined();
  });

  it('names the key and the rule of every bad value', () => {
    const message = errorOf({
      merchantId: 'ACME Corp',
      straitsxBaseUrl: 'http://api.straitsx.com',
      providerTimeoutMs: 30000,
      logRetentionDays: 31,
      alarmEmail: 'not-an-email',
    });
    expect(message).toContain('context key "merchantId": must be 1 to 32 lowercase letters, digits or hyphens');
    expect(message).toContain('context key "straitsxBaseUrl": must be an https URL');
    expect(message).toContain('context key "providerTimeoutMs": must be at most 25000');
    expect(message).toMatch(/context key "logRetentionDays": must be one of 1, 3, 5, 7, 14, 30, /);
    expect(message).toContain('context key "alarmEmail": must be an email address');
  });

  it('refuses a merchant event source that would match the stack own events', () => {
    expect(errorOf({ merchantEventSource: ORCHESTRATOR_EVENT_SOURCE })).toContain(
      'context key "merchantEventSource": must differ',
    );
    expect(errorOf({ merchantEventSource: 'aws.s3' })).toContain('must not start with "aws."');
  });

  it('refuses a provider timeout that is not a number', () => {
    expect(errorOf({ providerTimeoutMs: 'soon' })).toContain('context key "providerTimeoutMs": must be a number of milliseconds');
  });

  it('uses the same event source as the functions that publish', () => {
    expect(ORCHESTRATOR_EVENT_SOURCE).toBe(EVENT_SOURCE);
  });

  it('has no feature flag in cdk.json that CDK v2 refuses', () => {
    // `cdk synth` stops with "Unsupported feature flag" on any of these.
    expect(expiredFlagsIn(cdkJsonContext()), 'remove these flags from cdk.json').toEqual([]);
  });

  it('stops the app with the rule, not a stack trace, on bad context', () => {
    const result = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ merchantId: 'Not Valid' }),
        CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'cdk-out-')),
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('context key "merchantId": must be 1 to 32 lowercase letters, digits or hyphens');
    expect(result.stderr).not.toContain('    at ');
  });
});
