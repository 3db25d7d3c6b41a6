/**
 * Work a sandbox does later on its own (a screening verdict, a background check, a verification that
 * shows up after its callback): each task is a kind and JSON arguments with a wall-clock due time, so a
 * snapshot can carry it across a restart and the restored task runs when it was due (at once if that
 * time has passed while the sandbox was down).
 */

/** One task as a snapshot holds it. */
export interface ScheduledTask {
  kind: string;
  args: unknown;
  /** Milliseconds since the epoch. */
  dueAt: number;
}

interface Entry {
  task: ScheduledTask;
  timer?: NodeJS.Timeout;
}

/** Durable timers: tasks by kind, run by the handler registered for that kind. */
export class DurableSchedule {
  private readonly entries = new Set<Entry>();
  private readonly handlers = new Map<string, (args: never) => void>();
  private held = false;

  /** `changed` is told whenever the set of tasks changes (to save the state). */
  constructor(
    private readonly changed: () => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Registers what a kind of task does when it is due. */
  on<A>(kind: string, handler: (args: A) => void): this {
    this.handlers.set(kind, handler as (args: never) => void);
    return this;
  }

  /** Runs a task of `kind` with `args` after `delayMs`. */
  after(kind: string, args: unknown, delayMs: number): void {
    if (!this.handlers.has(kind)) throw new Error(`no handler for scheduled ${kind}`);
    const entry: Entry = { task: { kind, args, dueAt: this.now() + delayMs } };
    this.entries.add(entry);
    if (!this.held) this.arm(entry);
    this.changed();
  }

  /** The tasks not yet run, oldest due first. */
  snapshot(): ScheduledTask[] {
    return [...this.entries].map((e) => e.task).sort((a, b) => a.dueAt - b.dueAt);
  }

  /** Takes tasks back from a snapshot; they run when due, unless the schedule is held. */
  restore(tasks: ScheduledTask[]): void {
    this.cancel();
    for (const task of tasks ?? []) {
      if (!this.handlers.has(task.kind)) continue;
      const entry: Entry = { task };
      this.entries.add(entry);
      if (!this.held) this.arm(entry);
    }
  }

  /** Holds every task (none runs) until `resume`. */
  hold(): void {
    this.held = true;
    for (const entry of this.entries) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
    }
  }

  /** Arms every held task: each runs when due, or at once if that time has passed. */
  resume(): void {
    this.held = false;
    for (const entry of this.entries) if (!entry.timer) this.arm(entry);
  }

  /** Forgets every task not yet run. */
  cancel(): void {
    for (const entry of this.entries) clearTimeout(entry.timer);
    this.entries.clear();
  }

  /** How many tasks wait. */
  size(): number {
    return this.entries.size;
  }

  private arm(entry: Entry): void {
    entry.timer = setTimeout(
      () => {
        this.entries.delete(entry);
        this.handlers.get(entry.task.kind)?.(entry.task.args as never);
        this.changed();
      },
      Math.max(0, entry.task.dueAt - this.now()),
    );
  }
}
