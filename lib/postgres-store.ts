import { randomBytes } from 'node:crypto'
import createError from '@fastify/error'
import type { Pool, PoolClient } from 'pg'
import type { ClaimResult, IdempotencyStore } from './idempotency.js'
import { migrationSql, statements, tableNames, type Statements, type TableOptions } from './postgres-sql.js'

export { migrationSql, type TableOptions } from './postgres-sql.js'

/** A store whose done mark can be written in the same transaction as the handlers' own writes. */
export interface TransactionalStore<Tx = unknown> extends IdempotencyStore {
  /** Runs `work` in one transaction. When it resolves true, `key` is marked done (for ttlMs) in that transaction and it commits; when it resolves false or throws, everything rolls back (the claim remains, for the caller to release). Resolves to what `work` resolved. */
  transaction (key: string, ttlMs: number, work: (tx: Tx) => Promise<boolean>): Promise<boolean>
}

export interface PostgresStoreOptions extends TableOptions {
  /** A `pg` Pool you made and own (the store never ends it). Give it an `error` listener: see the README. */
  pool: Pool
}

/** The work succeeded, but the claim had run out and another store took the event: nothing was committed. */
export const PostgresClaimLostError = createError('WEBHOOK_CLAIM_LOST', 'The claim on this webhook event ran out and another request took it; the transaction was rolled back', 409)

/**
 * An idempotency store in a Postgres table, shared by every instance that uses
 * the same table: a claim is one `INSERT ... ON CONFLICT` statement, so two
 * instances never both get `new` for one event, and a crashed owner's claim
 * expires after its lease. `transaction()` commits the handlers' writes and
 * the done mark together, or neither. `pg` itself is never imported here (only
 * its types), which keeps it an optional peer dependency.
 *
 * Each claim's token is `<store id>:<count>`. The count makes it unique, which
 * is how the claim statement knows it wrote the row. The store id is what
 * release and transaction check: only claims this store holds are dropped or
 * completed, so a store whose lease ran out never touches the newer owner's.
 */
export class PostgresStore implements TransactionalStore<PoolClient> {
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

  /**
   * Runs `work` in a transaction on a connection of its own; when it resolves true, marks `key` done
   * in it and commits. The mark needs this store's claim to be still on the key (its lease may have run
   * out, but no one else took it): otherwise it rolls back and throws `PostgresClaimLostError`, as the
   * newer owner's run is the one that counts.
   */
  async transaction (key: string, ttlMs: number, work: (tx: PoolClient) => Promise<boolean>): Promise<boolean> {
    return await this.#inTransaction(async tx => {
      if (!await work(tx)) return false
      const marked = await tx.query(this.#sql.completeOwned, [key, this.#owner, ttlMs])
      if (marked.rowCount !== 1) throw new PostgresClaimLostError()
      return true
    })
  }

  /** Deletes the rows past their expiry (claims would ignore them anyway); resolves to how many. Run it now and then. */
  async purge (): Promise<number> {
    const { rowCount } = await this.#pool.query(this.#sql.purge)
    return rowCount as number // null only for statements that touch no rows, never for a DELETE
  }

  /** BEGIN, then COMMIT when `body` resolves true; ROLLBACK when it resolves false or throws. */
  async #inTransaction (body: (tx: PoolClient) => Promise<boolean>): Promise<boolean> {
    const tx = await this.#pool.connect()
    // A connection that dies between queries reports it here, and the next query fails; unheard, it would crash the process.
    tx.on('error', ignore)
    // One whose BEGIN, COMMIT or ROLLBACK failed is in no known state: it is destroyed, not given back to the pool.
    let healthy = false
    try {
      await tx.query('BEGIN')
      const commit = await body(tx).catch(async (err: unknown) => {
        healthy = await tx.query('ROLLBACK').then(() => true, () => false)
        throw err
      })
      await tx.query(commit ? 'COMMIT' : 'ROLLBACK')
      healthy = true
      return commit
    } finally {
      tx.off('error', ignore)
      tx.release(!healthy)
    }
  }
}

function ignore (): void {}
