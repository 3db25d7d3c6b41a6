import { describe, expect, it } from 'vitest';
import { continuePoint, valueAt, waitEnds } from '../../../local/cloud/sfn/resume';
import type { HistoryEvent } from '../../../local/cloud/sfn/types';

const definition = {
  StartAt: 'A',
  States: {
    A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'Route' },
    Route: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'B' }], Default: 'B' },
    B: {
      Type: 'Parallel',
      Branches: [{ StartAt: 'Inner', States: { Inner: { Type: 'Pass', End: true } } }],
      Next: 'C',
    },
    C: { Type: 'Pass', End: true },
  },
};
const execution = { input: '{"id":"x"}', startDate: new Date('2026-01-01T00:00:00Z') };

let id = 0;
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
const entered = (name: string, input: unknown, second: number, type = 'Task') =>
  ({
    id: ++id,
    previousEventId: id - 1,
    timestamp: at(second),
    type: `${type}StateEntered`,
    stateEnteredEventDetails: { name, input: JSON.stringify(input) },
  }) as HistoryEvent;
const exited = (name: string, output: unknown, second: number, type = 'Task') =>
  ({
    id: ++id,
    previousEventId: id - 1,
    timestamp: at(second),
    type: `${type}StateExited`,
    stateExitedEventDetails: { name, output: JSON.stringify(output) },
  }) as HistoryEvent;

describe('where an execution continues', () => {
  it('starts at StartAt with the execution input when no state was recorded', () => {
    expect(continuePoint([], definition, execution)).toEqual({
      stateName: 'A',
      input: { id: 'x' },
      enteredAt: execution.startDate,
      inState: false,
    });
  });

  it('continues the top-level state that was entered and not exited, even when the stop came inside it', () => {
    const history = [
      entered('A', { id: 'x' }, 1),
      exited('A', { id: 'x', a: 1 }, 2),
      entered('Route', { id: 'x', a: 1 }, 3, 'Choice'),
      exited('Route', { id: 'x', a: 1 }, 3, 'Choice'),
      entered('B', { id: 'x', a: 1 }, 4, 'Parallel'),
      entered('Inner', { id: 'x', a: 1 }, 4, 'Pass'),
      exited('Inner', { id: 'x', a: 1 }, 4, 'Pass'),
    ];
    expect(continuePoint(history, definition, execution)).toEqual({
      stateName: 'B',
      input: { id: 'x', a: 1 },
      enteredAt: at(4),
      inState: true,
    });
  });

  it('goes on to the next state when the stop came between two states, and evaluates a Choice again', () => {
    const afterA = [entered('A', { id: 'x' }, 1), exited('A', { id: 'x', a: 1 }, 2)];
    expect(continuePoint(afterA, definition, execution)).toEqual({
      stateName: 'Route',
      input: { id: 'x', a: 1 },
      enteredAt: at(2),
      inState: false,
    });
    const afterRoute = [...afterA, entered('Route', { a: 1 }, 3, 'Choice'), exited('Route', { a: 1 }, 3, 'Choice')];
    expect(continuePoint(afterRoute, definition, execution)).toMatchObject({ stateName: 'Route', input: { a: 1 } });
  });
});

describe('a Wait state after a restart', () => {
  const enteredAt = new Date('2026-01-01T00:00:00Z');

  it('ends its Seconds (or SecondsPath) after it was entered, or at its Timestamp', () => {
    expect(waitEnds({ Seconds: 30 }, {}, enteredAt)).toBe(enteredAt.getTime() + 30_000);
    expect(waitEnds({ SecondsPath: '$.delay.s' }, { delay: { s: 5 } }, enteredAt)).toBe(enteredAt.getTime() + 5_000);
    expect(waitEnds({ TimestampPath: '$.at' }, { at: '2026-01-02T00:00:00Z' }, enteredAt)).toBe(
      Date.parse('2026-01-02T00:00:00Z'),
    );
    expect(waitEnds({ SecondsPath: '$..s' }, { s: 5 }, enteredAt)).toBeUndefined();
  });

  it('reads simple paths only', () => {
    expect(valueAt({ a: [{ b: 2 }] }, '$.a[0].b')).toBe(2);
    expect(valueAt({ a: 1 }, '$')).toEqual({ a: 1 });
    expect(valueAt({ a: 1 }, '$.a.b')).toBeUndefined();
    expect(valueAt({ a: 1 }, "$['a']")).toBeUndefined();
  });
});
