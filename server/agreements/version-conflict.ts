import { ConflictError } from '../errors.ts';

/** The 409 for a request that named a version the agreement is no longer at. */
export function staleVersion(current: number | undefined, expected: number): ConflictError {
  return new ConflictError(
    current === undefined
      ? `The agreement changed while this request was processed (expected version ${expected}); reload and try again`
      : `The agreement is at version ${current}, not ${expected}; reload and try again`,
    { currentVersion: current, expectedVersion: expected },
  );
}
