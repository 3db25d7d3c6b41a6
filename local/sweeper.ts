/** The sweeper's schedule on one machine: a sweep at start, then one every interval, never two at once. */
export function startSweeper(run: () => Promise<unknown>, intervalMs: number) {
  let current: Promise<void> | undefined;
  let stopped = false;
  const start = (): Promise<void> => {
    const sweep = run().then(
      () => undefined,
      () => undefined,
    );
    current = sweep.finally(() => {
      if (current === tracked) current = undefined;
    });
    const tracked = current;
    return tracked;
  };
  // A scheduled sweep is skipped while one is still running, as a schedule with no overlap would.
  const scheduled = () => {
    if (!stopped && !current) void start();
  };
  const timer = intervalMs > 0 ? setInterval(scheduled, intervalMs) : undefined;
  timer?.unref();
  if (intervalMs > 0) scheduled();
  return {
    /** Runs a sweep after the one in flight, if any, and resolves when it is done. */
    async sweepNow(): Promise<void> {
      await current;
      await start();
    },
    /** Stops the schedule and waits for a sweep in flight. */
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await current;
    },
  };
}
