/**
 * At most `limit` workflow tasks run at once; the others wait for a free slot, the oldest execution's
 * first, and in the order they came within one execution. Oldest first matters in a burst: a step coming
 * back for the rate budget's slot it booked would otherwise wait behind every newer execution's first
 * step and miss it. (`p-limit` keeps no priorities; `p-queue`, which does, needs a newer Node than ours.)
 */
export function taskSlots(limit: number) {
  let running = 0;
  let arrivals = 0;
  // Sorted by rank, then arrival: the head starts next.
  const waiting: Array<{ rank: number; arrival: number; start: () => void }> = [];

  const release = () => {
    running -= 1;
    const next = waiting.shift();
    if (next) {
      running += 1;
      next.start();
    }
  };

  /** Runs `task` when a slot is free; `rank` orders the waiting (lower first: an execution's start time). */
  return <T>(rank: number, task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        task().then(resolve, reject).finally(release);
      };
      if (running < limit) {
        running += 1;
        start();
        return;
      }
      const entry = { rank, arrival: arrivals++, start };
      let at = waiting.length;
      while (at > 0 && waiting[at - 1]!.rank > rank) at -= 1;
      waiting.splice(at, 0, entry);
    });
}
