/**
 * A real Postgres for one test file (support/postgres-server.ts starts it, from the binaries
 * `npm ci` installs, so these tests always run), and pools that fail fast while it is down.
 */
import pg from 'pg'
import { startPostgres, type PostgresServer } from '../../support/postgres-server.js'

export { startPostgres, type PostgresServer }

/** A pool whose connection attempts give up after a second, so a store call fails while the server is down. */
export function connect (server: PostgresServer, options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: server.connectionString, connectionTimeoutMillis: 1000, ...options })
  // an idle connection whose server went away; the pool drops it and the next query opens another
  pool.on('error', () => {})
  return pool
}
