import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../functions/onboarding/events';
import { ConfigError, ORCHESTRATOR_EVENT_SOURCE, parseConfig } from '../../lib/config';
import { cdkJsonContext, expiredFlagsIn } from './context';

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
      connectMigrationBatchMaxConcurrency: 10,
      connectMigrationBatchToleratedFailurePercentage: 10,
      straitsxConnectBaseUrl: 'https://sandbox.xfers.io/api/v3',
      wallexBaseUrl: 'https://api-demo.wallex.asia',
      straddleBaseUrl: 'https://sandbox.straddle.com',
      documentsTimeoutSeconds: 604800,
      verificationTimeoutSeconds: 259200,
      accountTimeoutSeconds: 259200,
      // Six hours of provider trouble waited out, pauses of five minutes at most (README: why).
      providerOutageHours: 6,
      providerRetryMaxDelaySeconds: 300,
      redriveCap: 3,
      redriveDelaySeconds: 900,
      sweepIntervalMinutes: 5,
      overdueWaitAlarmSeconds: 3600,
      // Wallex's documented sources: sandbox SG, production SG, ID, HK, MY, JP.
      wallexSourceIps: ['175.41.191.143', '3.0.113.21', '108.136.189.251', '18.166.110.81', '13.251.169.211', '13.230.240.139'],
    });
  });

  it('names the rule of bad retry and recovery settings', () => {
    const message = errorOf({
      providerOutageHours: 100,
      providerRetryMaxDelaySeconds: 'long',
      redriveCap: -1,
      sweepIntervalMinutes: 0,
    });
    expect(message).toContain('context key "providerOutageHours": must be at most 72');
    expect(message).toContain('context key "providerRetryMaxDelaySeconds": must be a number of seconds');
    expect(message).toContain('context key "redriveCap": must be at least 0');
    expect(message).toContain('context key "sweepIntervalMinutes": must be at least 1');
  });

  it('refuses retry settings whose attempts could pass the execution history limit, naming both keys', () => {
    // 72 hours at 10-second pauses: about 51,840 attempts per step.
    const message = errorOf({ providerOutageHours: 72, providerRetryMaxDelaySeconds: 10 });
    expect(message).toContain('context key "providerOutageHours / providerRetryMaxDelaySeconds"');
    expect(message).toContain('over 20000');
    expect(() => parseConfig({ providerOutageHours: 72, providerRetryMaxDelaySeconds: 3600 })).not.toThrow();
  });

  it('reads Wallex source addresses from a JSON array or a comma-separated -c value', () => {
    expect(parseConfig({ wallexSourceIps: ['192.0.2.1'] }).wallexSourceIps).toEqual(['192.0.2.1']);
    expect(parseConfig({ wallexSourceIps: '192.0.2.1, 192.0.2.2' }).wallexSourceIps).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(parseConfig({ wallexSourceIps: '["192.0.2.3"]' }).wallexSourceIps).toEqual(['192.0.2.3']);
  });

  it('names the rule of bad provider URLs, waits and Wallex addresses', () => {
    const message = errorOf({
      wallexBaseUrl: 'http://api-demo.wallex.asia',
      straddleBaseUrl: 'not a url',
      straitsxConnectBaseUrl: 'ftp://sandbox.xfers.io',
      documentsTimeoutSeconds: 'a week',
      verificationTimeoutSeconds: 30,
      accountTimeoutSeconds: 1.5,
      wallexSourceIps: '175.41.191.143,wallex.asia',
    });
    expect(message).toContain('context key "wallexBaseUrl": must be an https URL');
    expect(message).toContain('context key "straddleBaseUrl": must be an https URL');
    expect(message).toContain('context key "straitsxConnectBaseUrl": must be an https URL');
    expect(message).toContain('context key "documentsTimeoutSeconds": must be a number of seconds');
    expect(message).toContain('context key "verificationTimeoutSeconds": must be at least 60');
    expect(message).toContain('context key "accountTimeoutSeconds": must be a whole number of seconds');
    expect(message).toContain('context key "wallexSourceIps.1": must hold IPv4 addresses only');
    expect(errorOf({ wallexSourceIps: [] })).toContain('context key "wallexSourceIps": must hold at least one address');
    expect(errorOf({ wallexSourceIps: 3 })).toContain('context key "wallexSourceIps": must be a list of IPv4 addresses');
  });

  it('refuses waits that together outlast one execution', () => {
    expect(
      errorOf({
        documentsTimeoutSeconds: 20 * 24 * 3600,
        verificationTimeoutSeconds: 5 * 24 * 3600,
        accountTimeoutSeconds: 5 * 24 * 3600,
      }),
    ).toContain(
      'context key "documentsTimeoutSeconds + verificationTimeoutSeconds + accountTimeoutSeconds": must add up to less than 2592000',
    );
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
