import type { SandboxState } from './persistence';

/** How a sandbox is wired to its state file: its options, what it offers, and saving after test controls. */

/** Where a sandbox keeps its data, and whether its restored work waits for the receiver. */
export interface DurableSandboxOptions {
  /** The sandbox's own folder (`<data>/sandboxes/<provider>`); memory only when absent. */
  dataDir?: string;
  /** Holds work restored from the folder (deliveries, scheduled decisions) until `resumeRestoredWork`. */
  holdRestoredWork?: boolean;
}

/** What every sandbox offers over the data it keeps. */
export interface SandboxDurability {
  /** True when this start took up data an earlier run left in the folder. */
  readonly restored: boolean;
  /** Lets restored deliveries and scheduled decisions run (each when due, at once if overdue). */
  resumeRestoredWork(): void;
}

/**
 * Loads a sandbox's state from its folder and holds the restored work if asked. `held` are the parts
 * whose work waits for the receiver (outboxes and schedules).
 */
export function openState(
  state: SandboxState,
  options: DurableSandboxOptions,
  held: ReadonlyArray<{ hold(): void; resume(): void }>,
): SandboxDurability {
  if (options.holdRestoredWork) for (const part of held) part.hold();
  const restored = state.load();
  let resumed = !options.holdRestoredWork;
  return {
    restored,
    resumeRestoredWork: () => {
      if (resumed) return;
      resumed = true;
      for (const part of held) part.resume();
    },
  };
}

/**
 * Makes every method of a sandbox's handle save the state after it runs (test controls change state
 * outside any request), except the read-only and lifecycle ones named in `skip`. Changes the object.
 */
export function savingAfterEachCall<T extends object>(sandbox: T, state: SandboxState, skip: readonly string[]): T {
  if (!state.durable) return sandbox;
  for (const key of Object.keys(sandbox)) {
    const descriptor = Object.getOwnPropertyDescriptor(sandbox, key);
    if (skip.includes(key) || typeof descriptor?.value !== 'function') continue;
    const method = descriptor.value as (...args: unknown[]) => unknown;
    Object.defineProperty(sandbox, key, {
      ...descriptor,
      value: (...args: unknown[]) => {
        const result = method(...args);
        state.save();
        return result;
      },
    });
  }
  return sandbox;
}
