/**
 * The inbox read for people: a page of kept events, newest first, by keyset (the index `migrate()` makes walks it,
 * so the thousandth page costs what the first does), one event with everything kept of it, and counts for the
 * confirmation of a replay or a purge.
 */
import type { Pool } from 'pg'
import type { KeptSelection, KeptStatus } from './postgres.js'
import type { Statements } from './postgres-sql.js'

/** Which kept events a page lists; null or absent: any. */
export interface InboxFilter {
  statuses?: readonly KeptStatus[] | null | undefined
  providers?: readonly string[] | null | undefined
  types?: readonly string[] | null | undefined
  tenant?: string | null | undefined
  since?: Date | null | undefined
  until?: Date | null | undefined
}

/** One line of the list. */
export interface InboxRow {
  key: string
  provider: string
  id: string
  type: string
  status: KeptStatus
  attempts: number
  /** the last error's message, or why the payload is invalid */
  lastError: string | null
  tenant: string | null
  receivedAt: Date
  processedAt: Date | null
}

/** One event, with its payload as stored (after `redact`) and what the signature said. */
export interface InboxEvent extends InboxRow {
  payload: unknown
  meta: Record<string, unknown>
  /** a run holds its lease now */
  leased: boolean
  expiresAt: Date
  keepUntil: Date | null
}

/** Where a page starts: after this event (the last of the page before). */
export interface InboxCursor {
  /** as Postgres writes the timestamp (microseconds, which a Date would round away) */
  receivedAt: string
  key: string
}

export interface InboxPage {
  rows: InboxRow[]
  /** where the next (older) page starts, or null on the last page */
  next: InboxCursor | null
}

/** The parameters $1 to $7 of the statements that select kept events. */
export function selectionParams (filter: InboxFilter & { keys?: readonly string[] | null | undefined }): unknown[] {
  return [
    filter.statuses ?? null,
    filter.providers ?? null,
    filter.types ?? null,
    filter.since ?? null,
    filter.until ?? null,
    filter.keys ?? null,
    filter.tenant ?? null
  ]
}

export class InboxView {
  readonly #pool: Pool
  readonly #sql: Statements

  constructor (pool: Pool, sql: Statements) {
    this.#pool = pool
    this.#sql = sql
  }

  /** Up to `limit` events of `filter`, newest first, after `cursor` (none: from the newest). */
  async list (filter: InboxFilter, cursor: InboxCursor | null, limit: number): Promise<InboxPage> {
    const one = filter.statuses?.length === 1 ? filter.statuses[0]! : null
    const { rows } = await this.#pool.query<InboxRow & { cursorAt: string }>(this.#sql.list, [
      ...selectionParams(one === null ? filter : { ...filter, statuses: null }),
      cursor?.receivedAt ?? null,
      cursor?.key ?? null,
      limit + 1,
      one
    ])
    const more = rows.length > limit
    if (more) rows.pop()
    const last = rows.at(-1)!
    const next = more ? { receivedAt: last.cursorAt, key: last.key } : null
    return { rows: rows.map(({ cursorAt, ...row }) => row), next }
  }

  /** The event kept under `key`, or null. */
  async event (key: string): Promise<InboxEvent | null> {
    const { rows } = await this.#pool.query<InboxEvent>(this.#sql.event, [key])
    return rows[0] ?? null
  }

  /** How many kept events `selection` takes (what a replay of it would try). */
  async count (selection: InboxFilter | KeptSelection): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>(this.#sql.count, selectionParams(selection))
    return rows[0]!.n
  }

  /** How many rows `store.purge()` would delete now. */
  async purgeable (): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>(this.#sql.purgeable)
    return rows[0]!.n
  }
}
