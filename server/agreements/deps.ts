import type { Database } from '../../db/connection.ts';
import type { Config } from '../config.ts';

/** What every use-case gets: the database, the configuration and a clock that tests can set. */
export interface UseCaseDeps {
  readonly db: Database;
  readonly config: Config;
  readonly now: () => Date;
}
