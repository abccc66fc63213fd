export type Log = (message: string, error?: unknown) => void;

export interface PollingLoop {
  /** Runs at once (catching up on whatever is already due), then `intervalMs` after each run ends. */
  start(intervalMs: number): void;
  /** No further runs; resolves when the run in progress, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * Calls `run` repeatedly, never two at once: the next run is timed from the end of the previous one,
 * so a slow run delays the next instead of piling up. A failed run (the database away, say) is
 * logged and the loop goes on. The timer does not keep the process alive.
 */
export function createPollingLoop(name: string, run: () => Promise<unknown>, log: Log): PollingLoop {
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const tick = async (intervalMs: number): Promise<void> => {
    timer = undefined;
    if (stopped) return;
    inFlight = run().then(
      () => undefined,
      (error: unknown) => log(`${name}: the run failed; trying again in ${intervalMs} ms`, error),
    );
    await inFlight;
    inFlight = undefined;
    if (!stopped) timer = setTimeout(() => void tick(intervalMs), intervalMs).unref();
  };

  return {
    start(intervalMs) {
      if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new Error(`${name}: the interval must be a positive number of ms`);
      if (!stopped) throw new Error(`${name} is already running`);
      stopped = false;
      void tick(intervalMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
  };
}
