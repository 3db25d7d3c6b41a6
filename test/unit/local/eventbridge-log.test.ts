import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventEnvelope, LocalEventBridge } from '../../../local/cloud/eventbridge';
import { statusChangeEntry } from '../../../local/cloud/sfn/status-events';
import type { ExecutionRecord } from '../../../local/cloud/sfn/types';

const failed: ExecutionRecord = {
  executionArn: 'arn:aws:states:ap-southeast-1:000000000000:execution:onboarding:ob-1',
  stateMachineArn: 'arn:aws:states:ap-southeast-1:000000000000:stateMachine:onboarding',
  name: 'ob-1',
  status: 'FAILED',
  input: '{"onboardingId":"ob-1"}',
  error: 'Error',
  cause: '{"errorMessage":"profile for Ada Lovelace rejected","stack":"at create (profile.ts:12)"}',
  startDate: new Date('2026-12-01T00:00:00Z'),
  stopDate: new Date('2026-12-01T00:01:00Z'),
  history: [],
  stateTransitions: 3,
  redriveCount: 0,
};

describe('local EventBridge event log', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a status-change event whole to rules but leaves its cause and payloads out of the file', async () => {
    // Prepare
    dir = mkdtempSync(join(tmpdir(), 'bus-'));
    const logFile = join(dir, 'events.jsonl');
    const bus = new LocalEventBridge({ logFile });
    const delivered: EventEnvelope[] = [];
    bus.addRule({ pattern: { source: ['aws.states'] }, target: (event) => delivered.push(event) });

    // Act
    bus.putEvents({ Entries: [statusChangeEntry(failed)] });
    bus.putEvents({ Entries: [{ Source: 'merchant', DetailType: 'Customer Onboarding Requested', Detail: '{"input":"kept"}' }] });
    await bus.idle();

    // Assess
    expect(delivered[0]?.detail).toMatchObject({ cause: failed.cause, input: failed.input, error: 'Error' });
    const written = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(written[0].detail).toMatchObject({ status: 'FAILED', error: 'Error', executionArn: failed.executionArn });
    expect(written[0].detail).not.toHaveProperty('cause');
    expect(written[0].detail).not.toHaveProperty('input');
    expect(written[0].detail).not.toHaveProperty('output');
    expect(readFileSync(logFile, 'utf8')).not.toContain('Ada');
    expect(written[1].detail).toEqual({ input: 'kept' });
  });
});
