import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import type { Pool, PoolClient } from 'pg'
import { WebhookClaimLostError } from '../core/errors.js'
import type { ClaimResult, TransactionalStore } from './idempotency.js'
import type { WebhookEventData } from '../core/provider.js'
import { InboxView, selectionParams } from './postgres-inbox.js'
import {
  migrationSql, statements, tableNames, type Statements, type TableNames, type TableOptions
} from './postgres-sql.js'

export { migrationSql, type TableOptions } from './postgres-sql.js'
export type { InboxFilter, InboxPage, InboxRow, InboxEvent, InboxView } from './postgres-inbox.js'
export type { TransactionalStore } from './idempotency.js'

export interface PostgresStoreOptions extends TableOptions {
  /** A `pg` Pool you made and own (the store never ends it). Give it an `error` listener: see the README. */
  pool: Pool
  /** Keep every verified event (payload, status, attempts, last error) for `replay()`; `true` for the defaults. */
  inbox?: boolean | InboxOptions | undefined
}

export interface InboxOptions {
  /** Seconds an event is kept after it was received, whatever became of it. Default 2,592,000 (30 days). */
  retention?: number | undefined
  /** What to store as the payload, e.g. the event's payload without its personal fields. Default: the payload. */
  redact?: ((event: WebhookEventData) => unknown) | undefined
}

interface Inbox { retentionMs: number, redact: ((event: WebhookEventData) => unknown) | undefined }

/** The columns of an event besides its meta (what the signature said, such as its timestamp). */
const EVENT_FIELDS = new Set(['provider', 'id', 'type', 'payload', 'receivedAt'])

/** The statuses of a kept event. */
export type KeptStatus = 'processing' | 'done' | 'failed' | 'invalid'

/** Which kept events a replay takes; null: any. */
export interface KeptSelection {
  statuses: readonly KeptStatus[]
  providers: readonly string[] | null
  types: readonly string[] | null
  since: Date | null
  until: Date | null
  /** only these keys (the dashboard's replay of one event) */
  keys?: readonly string[] | null | undefined
  /** only events of this tenant */
  tenant?: string | null | undefined
}

/** A kept event, as it was received. */
export interface KeptEvent extends WebhookEventData {
  key: string
}

/**
 * The lease is lost (`ClaimLost` in the name means the lease): the work succeeded, but its lease had run out and
 * another store took the event, so nothing was committed.
 */
export const PostgresClaimLostError = WebhookClaimLostError

/**
 * An idempotency store in a Postgres table, shared by every instance that uses
 * the same table: taking a key is one `INSERT ... ON CONFLICT` statement, so
 * two instances never both get `new` for one event, and a crashed owner's
 * lease expires. `transaction()` commits the handlers' writes and
 * the done mark together, or neither. `pg` itself is never imported here (only
 * its types), which keeps it an optional peer dependency.
 *
 * Each lease's token is `<store id>:<count>`. The count makes it unique, which
 * is how the take statement knows it wrote the row. The store id is what
 * release and transaction check: only leases this store holds are dropped or
 * completed, so a store whose lease ran out never touches the newer owner's.
 */
export class PostgresStore implements TransactionalStore<PoolClient> {
  readonly #pool: Pool
  readonly #sql: Statements
  readonly #names: TableNames
  readonly #inbox: Inbox | null
  readonly #owner = `${randomBytes(8).toString('hex')}:`
  #count = 0
  /** The transaction of the handler running now, for `client()`. */
  readonly #current = new AsyncLocalStorage<PoolClient>()

  constructor (options: PostgresStoreOptions) {
    const { pool, inbox = false, ...names } = (options ?? {}) as Partial<PostgresStoreOptions>
    if (typeof pool?.query !== 'function' || typeof pool.connect !== 'function') {
      throw new TypeError('PostgresStore: option "pool" must be a pg Pool')
    }
    this.#pool = pool
    this.#names = tableNames(names, 'PostgresStore')
    this.#sql = statements(this.#names)
    this.#inbox = inboxOf(inbox)
  }

  /** Whether this store keeps every verified event (its `inbox` option). */
  get keepsEvents (): boolean {
    return this.#inbox !== null
  }

  /**
   * Creates the schema, table and index where missing (see `migrationSql()`); safe to run from every instance at start.
   */
  async migrate (): Promise<void> {
    // In one implicit transaction, under a lock: two instances creating one table at once would otherwise collide.
    await this.#pool.query(
      `SELECT pg_advisory_xact_lock(hashtext('fastify-webhooks:migrate'));\n${migrationSql(this.#names)}`
    )
  }

  /**
   * Takes `key` (`IdempotencyStore.claim`); with `inbox` and an `event`, also writes the event's columns, its status
   * `processing`, and one more attempt when the row it took had expired.
   */
  async claim (key: string, leaseMs: number, event?: WebhookEventData): Promise<ClaimResult> {
    const token = this.#owner + String(++this.#count)
    const { rows } =
      this.#inbox === null || event === undefined
        ? await this.#pool.query<{ result: ClaimResult }>(this.#sql.take, [key, token, leaseMs])
        : await this.#pool.query<{ result: ClaimResult }>(this.#sql.takeKeeping, [
          key,
          token,
          leaseMs,
          ...this.#columns(event, this.#inbox)
        ])
    return rows[0]!.result
  }

  async complete (key: string, ttlMs: number): Promise<void> {
    await this.#pool.query(this.#sql.complete, [key, ttlMs])
  }

  async release (key: string, error?: unknown): Promise<void> {
    await (this.#inbox === null
      ? this.#pool.query(this.#sql.release, [key, this.#owner])
      : this.#pool.query(this.#sql.releaseKeeping, [key, this.#owner, describe(error)]))
  }

  /**
   * Keeps an event whose payload failed its schema, as `invalid`; a key under a live lease, or done, is left alone.
   * Only with `inbox`.
   */
  async keepInvalid (key: string, event: WebhookEventData, reason: string): Promise<void> {
    if (this.#inbox === null) throw new Error('PostgresStore.keepInvalid() needs the "inbox" option')
    const [provider, id, type, payload, meta, receivedAt, keepMs] = this.#columns(event, this.#inbox)
    await this.#pool.query(this.#sql.keepInvalid, [key, provider, id, type, payload, meta, receivedAt, keepMs, reason])
  }

  /**
   * Runs `work` in a transaction on a connection of its own; when it resolves true, marks `key` done
   * in it and commits. The mark needs this store's lease to be still on the key (it may have run out,
   * but no one else took the key): otherwise the lease is lost, and it rolls back and throws
   * `PostgresClaimLostError`, as the newer owner's run is the one that counts.
   */
  async transaction (key: string, ttlMs: number, work: (tx: PoolClient) => Promise<boolean>): Promise<boolean> {
    return await this.#inTransaction(async tx => {
      if (!await this.#current.run(tx, work, tx)) return false
      const marked = await tx.query(this.#sql.completeOwned, [key, this.#owner, ttlMs])
      if (marked.rowCount !== 1) throw new PostgresClaimLostError()
      return true
    })
  }

  /**
   * The client of the transaction the current handler runs in: its queries commit with the event's done
   * mark, or roll back with it. Throws outside a handler run by this store (the plugin, the worker, replay).
   */
  client (): PoolClient {
    const tx = this.#current.getStore()
    if (tx === undefined) {
      throw new Error('PostgresStore.client() is only available while a webhook handler runs with this store')
    }
    return tx
  }

  /**
   * Deletes the rows past their expiry (taking a key ignores them anyway); resolves to how many. Run it now and then.
   */
  async purge (): Promise<number> {
    const { rowCount } = await this.#pool.query(this.#sql.purge)
    return rowCount as number // null only for statements that touch no rows, never for a DELETE
  }

  /** The kept events a selection takes, oldest first, read in batches of `batch`. Only with `inbox`. */
  async * kept (selection: KeptSelection, batch = 100): AsyncGenerator<KeptEvent> {
    let after: [Date | string, string] = ['-infinity', '']
    for (;;) {
      const params = [...selectionParams(selection), ...after, batch]
      const { rows } = await this.#pool.query<KeptRow>(this.#sql.select, params)
      for (const { key, provider, id, type, payload, meta, receivedAt } of rows) {
        yield { ...meta, key, provider, id, type, payload, receivedAt }
      }
      if (rows.length < batch) return
      const last = rows[rows.length - 1]!
      after = [last.receivedAt, last.key]
    }
  }

  /** What the inbox keeps, read for people: pages of events, one event, counts (the dashboard and the CLI). */
  get inbox (): InboxView {
    if (this.#inbox === null) throw new Error('PostgresStore.inbox needs the "inbox" option')
    return new InboxView(this.#pool, this.#sql)
  }

  /**
   * Reopens a kept event for a replay (what the name `reclaim` means): when its status is one of `statuses` and no
   * live lease holds it, puts a lease of `leaseMs` on it whatever became of it (done included, unlike taking a
   * key) and counts one more attempt. Answers `new`, or `in-flight` when another run took it since it was selected.
   */
  async reclaim (key: string, leaseMs: number, statuses: readonly KeptStatus[]): Promise<ClaimResult> {
    const { rowCount } = await this.#pool.query(this.#sql.reopen, [
      key,
      this.#owner + String(++this.#count),
      leaseMs,
      statuses
    ])
    return rowCount === 1 ? 'new' : 'in-flight'
  }

  /** The event's columns: provider, id, type, payload (redacted), meta, received at, ms to keep. */
  #columns (event: WebhookEventData, inbox: Inbox): [string, string, string, string, string, Date, number] {
    // What the signature said (its timestamp) and such plain values; objects a provider derived from the
    // payload are made again when it is replayed, and kept here they would escape `redact`.
    const meta: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(event)) {
      if (!EVENT_FIELDS.has(name) && typeof value !== 'object') meta[name] = value
    }
    const payload = inbox.redact === undefined ? event.payload : inbox.redact(event)
    // JSON text: pg would send an array as a Postgres array, not as jsonb.
    return [
      event.provider,
      event.id,
      event.type,
      JSON.stringify(payload),
      JSON.stringify(meta),
      event.receivedAt,
      inbox.retentionMs
    ]
  }

  /** BEGIN, then COMMIT when `body` resolves true; ROLLBACK when it resolves false or throws. */
  async #inTransaction (body: (tx: PoolClient) => Promise<boolean>): Promise<boolean> {
    const tx = await this.#pool.connect()
    // A connection that dies between queries reports it here, and the next query fails; unheard, it would crash the
    // process.
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

interface KeptRow {
  key: string
  provider: string
  id: string
  type: string
  payload: unknown
  meta: Record<string, unknown>
  receivedAt: Date
}

function inboxOf (option: unknown): Inbox | null {
  if (option === false) return null
  if (option === true) return { retentionMs: 2_592_000_000, redact: undefined }
  if (typeof option !== 'object' || option === null) {
    throw new TypeError('PostgresStore: option "inbox" must be a boolean or { retention?, redact? }')
  }
  const { retention = 2_592_000, redact } = option as InboxOptions
  if (typeof retention !== 'number' || !(retention > 0)) {
    throw new TypeError('PostgresStore: option "inbox.retention" must be a positive number of seconds')
  }
  if (redact !== undefined && typeof redact !== 'function') {
    throw new TypeError('PostgresStore: option "inbox.redact" must be a function')
  }
  return { retentionMs: retention * 1000, redact }
}

/** The error a failed event's row keeps: its message, never more (a stack names this process's files). */
function describe (error: unknown): string | null {
  if (error === undefined) return null
  return error instanceof Error ? error.message : String(error)
}

function ignore (): void {}
