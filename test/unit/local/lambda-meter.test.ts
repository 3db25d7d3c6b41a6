import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { costPerThousand } from '../../../bench/cost';
import { LambdaMeter, lambdaTotals, usageBetween } from '../../../local/lambda-meter';
import { FUNCTION_MEMORY_MB } from '../../../manifest/function-settings';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A clock that reads the given times in turn. */
const clock = (...times: number[]) => {
  const now = vi.spyOn(performance, 'now');
  for (const time of times) now.mockReturnValueOnce(time);
};

describe('LambdaMeter', () => {
  it('bills each invocation its duration rounded up to the millisecond, failed ones too', async () => {
    const meter = new LambdaMeter();
    clock(100, 102.1, 200, 200.4);
    await meter.invoke('onboarding-intake', async () => 'ok');
    await expect(
      meter.invoke('onboarding-intake', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');

    expect(meter.reading().functions).toEqual({ 'onboarding-intake': { invocations: 2, billedMs: 3 + 1 } });
  });

  it('tells what happened between two readings, and GB-seconds at the deployed memory', async () => {
    const meter = new LambdaMeter();
    clock(0, 1000, 0, 500, 0, 1500);
    await meter.invoke('onboarding-create-profile', async () => undefined);
    meter.apiRequest('POST /onboardings');
    const before = meter.reading();
    await meter.invoke('onboarding-create-profile', async () => undefined);
    await meter.invoke('onboarding-finish', async () => undefined);
    meter.apiRequest('GET /onboardings/{id}');

    const used = usageBetween(before, meter.reading());
    expect(used.functions).toEqual({
      'onboarding-create-profile': { invocations: 1, billedMs: 500 },
      'onboarding-finish': { invocations: 1, billedMs: 1500 },
    });
    expect(used.apiRequests).toEqual({ 'GET /onboardings/{id}': 1 });
    expect(lambdaTotals(used)).toEqual({ invocations: 2, seconds: 2, gbSeconds: 2 * (FUNCTION_MEMORY_MB / 1024) });
  });

  it('keeps the most invocations of each function that ran at once, counting from what still runs after a reset', async () => {
    const meter = new LambdaMeter();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const three = [1, 2, 3].map(() => meter.invoke('onboarding-create-profile', () => held));
    await meter.invoke('onboarding-create-profile', async () => undefined);
    await meter.invoke('onboarding-finish', async () => undefined);
    await meter.invoke('onboarding-finish', async () => undefined);
    expect(meter.reading().peakConcurrency).toEqual({ 'onboarding-create-profile': 4, 'onboarding-finish': 1 });

    meter.reset();
    expect(meter.reading().peakConcurrency).toEqual({ 'onboarding-create-profile': 3 });
    release();
    await Promise.all(three);
    meter.reset();
    await meter.invoke('onboarding-create-profile', async () => undefined);
    expect(meter.reading().peakConcurrency).toEqual({ 'onboarding-create-profile': 1 });
  });

  it('forgets its counts on reset', async () => {
    const meter = new LambdaMeter();
    await meter.invoke('onboarding-finish', async () => undefined);
    meter.reset();
    expect(meter.reading()).toMatchObject({ functions: {}, apiRequests: {} });
  });
});

describe('cost per 1,000 onboardings', () => {
  it('prices transitions, Lambda requests and GB-seconds, API and DynamoDB requests at the list prices', () => {
    const cost = costPerThousand({
      transitions: 10,
      invocations: 5,
      lambdaSeconds: 2,
      gbSeconds: 1,
      apiRequests: 2,
      dynamoReads: 20,
      dynamoWrites: 10,
      polls: 7,
      functions: {},
    });
    expect(cost.stepFunctions).toBeCloseTo(0.25, 10);
    expect(cost.lambda).toBeCloseTo(5 * 0.0002 + 0.0133334, 10);
    expect(cost.apiGateway).toBeCloseTo(0.007, 10);
    expect(cost.dynamo).toBeCloseTo(20 * 0.000125 + 10 * 0.000625, 10);
    expect(cost.total).toBeCloseTo(cost.stepFunctions + cost.lambda + cost.apiGateway + cost.dynamo, 10);
    expect(cost.stepFunctionsShare).toBeCloseTo(0.25 / cost.total, 10);
  });
});
