import { readdir, readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resident memory of a process from /proc (Linux): now and the peak since it started, in MiB. */
export function processMemory(pid: number): { rssMiB: number; peakRssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

/**
 * Node options that let `liveHeapMiB` ask a server process for a heap snapshot: Node writes one of its
 * main thread into `directory` on SIGUSR2, after a full garbage collection.
 */
export function heapSnapshotOptions(directory: string): string {
  return `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${directory}`;
}

/**
 * The live JavaScript heap of a server process's main thread, in MiB: the sum of every object's size in
 * a heap snapshot, which Node takes after a full collection. Unlike resident memory it does not move with
 * garbage not yet collected, allocator fragmentation or the worker threads' own bounded heaps, so growth
 * in it between two points is memory the server keeps.
 */
export async function liveHeapMiB(pid: number, directory: string): Promise<number> {
  const before = new Set(await readdir(directory));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await sleep(500);
    const written = (await readdir(directory)).find((name) => !before.has(name) && name.endsWith('.heapsnapshot'));
    if (!written || (await stat(join(directory, written))).size === 0) continue;
    let snapshot: { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
    try {
      snapshot = JSON.parse(await readFile(join(directory, written), 'utf8'));
    } catch {
      continue; // still being written
    }
    const fields = snapshot.snapshot.meta.node_fields;
    let bytes = 0;
    for (let index = fields.indexOf('self_size'); index < snapshot.nodes.length; index += fields.length) bytes += snapshot.nodes[index]!;
    return bytes / 2 ** 20;
  }
  throw new Error('the server process wrote no heap snapshot in time');
}
