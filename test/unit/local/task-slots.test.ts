import { describe, expect, it } from 'vitest';
import { taskSlots } from '../../../local/task-slots';

/** A task that runs until the test lets it finish, noting when it started. */
function held(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    run: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish,
  };
}

describe('the embedded stack’s task slots', () => {
  it('runs at most the limit at once, and the waiting ones oldest execution first, in arrival order within one', async () => {
    const slots = taskSlots(2);
    const started: string[] = [];
    const tasks = {
      a: held(started, 'a'),
      b: held(started, 'b'),
      late: held(started, 'late'),
      old1: held(started, 'old1'),
      old2: held(started, 'old2'),
      middle: held(started, 'middle'),
    };
    const results = [
      slots(500, tasks.a.run),
      slots(500, tasks.b.run),
      // Queued while both slots are taken: a new execution's first step, then steps of older executions.
      slots(900, tasks.late.run),
      slots(100, tasks.old1.run),
      slots(100, tasks.old2.run),
      slots(300, tasks.middle.run),
    ];
    expect(started).toEqual(['a', 'b']);

    tasks.a.finish();
    await results[0];
    await Promise.resolve();
    expect(started).toEqual(['a', 'b', 'old1']);
    for (const name of ['b', 'old1', 'old2', 'middle'] as const) tasks[name].finish();
    await Promise.all([results[1], results[3], results[4], results[5]]);
    tasks.late.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'late', 'old1', 'old2', 'middle']);
    expect(started).toEqual(['a', 'b', 'old1', 'old2', 'middle', 'late']);
  });

  it('frees the slot of a task that fails, and passes its error on', async () => {
    const slots = taskSlots(1);
    const failed = slots(1, async () => {
      throw new Error('boom');
    });
    const next = slots(2, async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});
