import { Piscina } from 'piscina';
import { DomainError, RuleViolationError, ServiceUnavailableError } from '../errors.ts';

/**
 * Work whose cost the input decides (a PDF someone uploaded, text someone wrote) runs in worker
 * threads, never in the server's own thread: whatever it costs, it costs a thread with its own heap
 * limit and a time budget, which is thrown away when it exceeds either, while the server keeps
 * answering. Over a bound, the caller gets a 422 naming it (the problem's `limit` member).
 */
export interface ThreadBounds {
  /** From the task's arrival to its answer, waiting for a free thread included. */
  readonly timeMs: number;
  /** The old generation of a thread's heap. */
  readonly memoryMb: number;
  /** Threads at once. */
  readonly threads: number;
  /** Tasks waiting for a thread; beyond them the server answers 503 rather than hold more in memory. */
  readonly queued: number;
  /** Threads kept running while idle (a warm thread has its fonts or libraries loaded). */
  readonly warmThreads: number;
  /** How long a thread beyond the warm ones waits idle for more work before it ends; 60 s unless given. */
  readonly idleMs?: number;
}

/** A DomainError does not survive the copy between threads as its class, so it travels as its parts. */
export type ThreadOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: DomainError['code']; readonly detail: string; readonly extensions: Record<string, unknown> };

/** For a worker module's default export: runs the task and packs a DomainError for the way back. */
export async function outcomeOf<T>(work: () => Promise<T>): Promise<ThreadOutcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, code: error.code, detail: error.detail, extensions: error.extensions };
    throw error;
  }
}

/** `what` names the work in refusals: "Verifying the PDF", "Typesetting the agreement". */
export function boundedThreads<Task, Result>(
  workerUrl: URL,
  bounds: ThreadBounds,
  what: string,
): (task: Task, transfer?: ArrayBuffer[]) => Promise<Result> {
  let pool: Piscina<Task, ThreadOutcome<Result>> | undefined;
  return async (task, transfer) => {
    pool ??= new Piscina({
      filename: workerUrl.href,
      minThreads: bounds.warmThreads,
      maxThreads: bounds.threads,
      maxQueue: bounds.queued,
      idleTimeout: bounds.idleMs ?? 60_000,
      resourceLimits: { maxOldGenerationSizeMb: bounds.memoryMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
    });
    let outcome: ThreadOutcome<Result>;
    try {
      outcome = await pool.run(task, { signal: AbortSignal.timeout(bounds.timeMs), ...(transfer && { transferList: transfer }) });
    } catch (error) {
      throw boundExceeded(error, bounds, what) ?? error;
    }
    if (!outcome.ok) throw new DomainError(outcome.code, outcome.detail, outcome.extensions);
    return outcome.value;
  };
}

function boundExceeded(error: unknown, bounds: ThreadBounds, what: string): DomainError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') {
    return new RuleViolationError(`${what} did not finish within ${bounds.timeMs / 1000} s, the limit for one request`, {
      limit: `${bounds.timeMs / 1000} s per request`,
    });
  }
  if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new RuleViolationError(`${what} needed more than ${bounds.memoryMb} MB, the limit for one request`, {
      limit: `${bounds.memoryMb} MB per request`,
    });
  }
  if (error.message === 'Task queue is at limit') {
    return new ServiceUnavailableError(
      `The server is busy: too many requests are waiting for this work (${what.toLowerCase()}); send this one again shortly`,
      5,
    );
  }
  return undefined;
}
