import { randomBytes } from 'node:crypto'
import type { Pool } from 'pg'
import type { ClaimResult, IdempotencyStore } from './idempotency.js'
import { migrationSql, statements, tableNames, type Statements, type TableOptions } from './postgres-sql.js'

export { migrationSql, type TableOptions } from './postgres-sql.js'

export interface PostgresStoreOptions extends TableOptions {
  /** A `pg` Pool you made and own (the store never ends it). Give it an `error` listener: see the README. */
  pool: Pool
}

/**
 * An idempotency store in a Postgres table, shared by every instance that uses
 * the same table: a claim is one `INSERT ... ON CONFLICT` statement, so two
 * instances never both get `new` for one event, and a crashed owner's claim
 * expires after its lease. `pg` itself is never imported here (only its
 * types), which keeps it an optional peer dependency.
 *
 * Each claim's token is `<store id>:<count>`. The count makes it unique, which
 * is how the claim statement knows it wrote the row. The store id is what
 * release checks: only claims this store holds are dropped, so a store whose
 * lease ran out never drops the newer owner's.
 */
export class PostgresStore implements IdempotencyStore {
  readonly #pool: Pool
  readonly #sql: Statements
  readonly #names: Required<TableOptions>
  readonly #owner = `${randomBytes(8).toString('hex')}:`
  #count = 0

  constructor (options: PostgresStoreOptions) {
    const { pool, ...names } = (options ?? {}) as Partial<PostgresStoreOptions>
    if (typeof pool?.query !== 'function' || typeof pool.connect !== 'function') throw new TypeError('PostgresStore: option "pool" must be a pg Pool')
    this.#pool = pool
    this.#names = tableNames(names, 'PostgresStore')
    this.#sql = statements(this.#names)
  }

  /** Creates the schema, table and index where missing (see `migrationSql()`); safe to run from every instance at start. */
  async migrate (): Promise<void> {
    // In one implicit transaction, under a lock: two instances creating one table at once would otherwise collide.
    await this.#pool.query(`SELECT pg_advisory_xact_lock(hashtext('fastify-webhooks:migrate'));\n${migrationSql(this.#names)}`)
  }

  async claim (key: string, leaseMs: number): Promise<ClaimResult> {
    const token = this.#owner + String(++this.#count)
    const { rows } = await this.#pool.query<{ result: ClaimResult }>(this.#sql.claim, [key, token, leaseMs])
    return rows[0]!.result
  }

  async complete (key: string, ttlMs: number): Promise<void> {
    await this.#pool.query(this.#sql.complete, [key, ttlMs])
  }

  async release (key: string): Promise<void> {
    await this.#pool.query(this.#sql.release, [key, this.#owner])
  }

  /** Deletes the rows past their expiry (claims would ignore them anyway); resolves to how many. Run it now and then. */
  async purge (): Promise<number> {
    const { rowCount } = await this.#pool.query(this.#sql.purge)
    return rowCount as number // null only for statements that touch no rows, never for a DELETE
  }
}
