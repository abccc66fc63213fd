export type Log = (message: string, error?: unknown) => void;

/** What one batch came to: how many items it claimed, and how many of them count towards the run's result. */
export interface BatchOutcome {
  readonly claimed: number;
  readonly counted: number;
}

export interface PollingLoopOptions {
  /** The most items one batch may claim; a batch that claims fewer means nothing more is due. */
  readonly batchSize: number;
  /** Claims (with a lease) up to `limit` due items and processes them. */
  readonly runBatch: (limit: number) => Promise<BatchOutcome>;
  readonly log: Log;
}

export interface PollingLoop {
  /** Runs batch after batch until one comes back short; resolves with the sum of what they counted. */
  runOnce(): Promise<number>;
  /** Runs at once (catching up on whatever is already due), then `intervalMs` after each run ends. */
  start(intervalMs: number): void;
  /** No further runs or batches; resolves when the batch in progress, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * The loop the scheduler and the webhook dispatcher share. A run drains the queue batch by batch,
 * never two runs at once: the next is timed from the end of the previous one, so a slow run delays
 * the next instead of piling up. A failed run (the database away, say) is logged and the loop goes
 * on; its claims run out and the items are taken again. stop() ends a run after its current batch,
 * so it waits for one batch, not for the whole queue. The timer does not keep the process alive.
 */
export function createPollingLoop(name: string, options: PollingLoopOptions): PollingLoop {
  // 'idle' until started: runOnce() called directly (tests, one-off jobs) drains the whole queue.
  let state: 'idle' | 'polling' | 'stopped' = 'idle';
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  async function runOnce(): Promise<number> {
    let counted = 0;
    for (;;) {
      const batch = await options.runBatch(options.batchSize);
      counted += batch.counted;
      if (batch.claimed < options.batchSize || state === 'stopped') return counted;
    }
  }

  const tick = async (intervalMs: number): Promise<void> => {
    timer = undefined;
    if (state !== 'polling') return;
    inFlight = runOnce().then(
      () => undefined,
      (error: unknown) => options.log(`${name}: the run failed; trying again in ${intervalMs} ms`, error),
    );
    await inFlight;
    inFlight = undefined;
    if (state === 'polling') timer = setTimeout(() => void tick(intervalMs), intervalMs).unref();
  };

  return {
    runOnce,
    start(intervalMs) {
      if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new Error(`${name}: the interval must be a positive number of ms`);
      if (state === 'polling') throw new Error(`${name} is already running`);
      state = 'polling';
      void tick(intervalMs);
    },
    async stop() {
      state = 'stopped';
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
  };
}
