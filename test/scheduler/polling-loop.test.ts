import { expect } from 'chai';
import { createPollingLoop, type BatchOutcome, type PollingLoop } from '../../server/scheduler/polling-loop.ts';

/** A promise and the function that settles it, so a test decides when a batch ends. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** A queue of batches: each call to runBatch takes the next one; when it is a function, its promise. */
function scriptedBatches(batches: (BatchOutcome | Error | (() => Promise<BatchOutcome>))[]) {
  const limits: number[] = [];
  const runBatch = async (limit: number): Promise<BatchOutcome> => {
    limits.push(limit);
    const next = batches.shift() ?? { claimed: 0, counted: 0 };
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? next() : next;
  };
  return { runBatch, limits };
}

describe('polling loop', () => {
  let loop: PollingLoop | undefined;
  let logged: { message: string; error?: unknown }[];
  const log = (message: string, error?: unknown) => logged.push({ message, error });

  beforeEach(() => {
    logged = [];
  });
  afterEach(async () => loop?.stop());

  it('when run once, then it takes full batches until a short one and sums what they counted', async () => {
    const { runBatch, limits } = scriptedBatches([
      { claimed: 3, counted: 3 },
      { claimed: 3, counted: 1 },
      { claimed: 2, counted: 2 },
    ]);
    loop = createPollingLoop('test loop', { batchSize: 3, runBatch, log });

    expect(await loop.runOnce()).to.equal(6);
    expect(limits).to.deep.equal([3, 3, 3]);
  });

  it('when a run throws, then it is logged and the loop runs again after the interval', async () => {
    const secondRun = deferred();
    const { runBatch } = scriptedBatches([
      new Error('the database is away'),
      async () => {
        secondRun.resolve();
        return { claimed: 0, counted: 0 };
      },
    ]);
    loop = createPollingLoop('test loop', { batchSize: 5, runBatch, log });

    loop.start(1);
    await secondRun.promise;

    expect(logged).to.have.length(1);
    expect(logged[0]!.message).to.equal('test loop: the run failed; trying again in 1 ms');
    expect((logged[0]!.error as Error).message).to.equal('the database is away');
  });

  it('when stopped during a batch, then stop() waits for that batch and no further batch is claimed, though the queue is full', async () => {
    const batchStarted = deferred();
    const finishBatch = deferred<BatchOutcome>();
    const { runBatch, limits } = scriptedBatches([
      async () => {
        batchStarted.resolve();
        return finishBatch.promise;
      },
    ]);
    loop = createPollingLoop('test loop', { batchSize: 2, runBatch, log });
    loop.start(60_000);
    await batchStarted.promise;

    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped, 'stop() resolved while the batch was running').to.equal(false);
    finishBatch.resolve({ claimed: 2, counted: 2 });
    await stopping;

    expect(limits).to.have.length(1);
    expect(logged).to.deep.equal([]);
  });

  it('when started twice, or with an interval that is not a positive number, then it refuses', async () => {
    loop = createPollingLoop('test loop', { batchSize: 1, runBatch: scriptedBatches([]).runBatch, log });
    for (const interval of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => loop!.start(interval), String(interval)).to.throw('test loop: the interval must be a positive number of ms');
    }
    loop.start(60_000);
    expect(() => loop!.start(60_000)).to.throw('test loop is already running');
  });
});
