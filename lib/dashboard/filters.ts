/**
 * The inbox's filters, read from a query string (the list's form, and the replay form that carries them on), and the
 * keyset cursor of a page. Anything malformed is a 400 naming the field, never a query Postgres would refuse.
 */
import type { KeptStatus } from '../stores/postgres.js'
import type { InboxCursor, InboxFilter } from '../stores/postgres-inbox.js'
import { DashboardBadQueryError } from './errors.js'

export const STATUSES: readonly KeptStatus[] = ['processing', 'done', 'failed', 'invalid']

/** What the form shows and the links carry: each field as typed ('' for none). */
export interface FilterFields {
  status: string
  provider: string
  type: string
  tenant: string
  since: string
  until: string
}

export interface ParsedFilter {
  fields: FilterFields
  filter: InboxFilter
}

const FIELD_MAX = 200
// `datetime-local` sends minutes (seconds when set), in no zone: read as UTC, as the pages show times.
const LOCAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?$/
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$/
// `received_at::text` as Postgres writes it, whatever the session's time zone.
const PG_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d){0,2}$/

function text (query: Record<string, unknown>, name: keyof FilterFields): string {
  const value = query[name]
  if (value === undefined) return ''
  if (typeof value !== 'string') throw new DashboardBadQueryError(name, 'must be given once')
  if (value.length > FIELD_MAX) throw new DashboardBadQueryError(name, `must be at most ${FIELD_MAX} characters`)
  return value.trim()
}

function time (value: string, name: string): Date | null {
  if (value === '') return null
  const ok = LOCAL_TIME.test(value) || ISO_TIME.test(value)
  const date = new Date(LOCAL_TIME.test(value) ? `${value}Z` : value)
  if (!ok || Number.isNaN(date.getTime())) {
    throw new DashboardBadQueryError(name, 'must be a time such as 2026-12-01T09:30 (UTC)')
  }
  return date
}

export function parseFilter (query: Record<string, unknown>): ParsedFilter {
  const fields: FilterFields = {
    status: text(query, 'status'),
    provider: text(query, 'provider'),
    type: text(query, 'type'),
    tenant: text(query, 'tenant'),
    since: text(query, 'since'),
    until: text(query, 'until')
  }
  if (fields.status !== '' && !STATUSES.includes(fields.status as KeptStatus)) {
    throw new DashboardBadQueryError('status', `must be one of ${STATUSES.join(', ')}`)
  }
  const one = (value: string): readonly string[] | null => value === '' ? null : [value]
  return {
    fields,
    filter: {
      statuses: one(fields.status) as readonly KeptStatus[] | null,
      providers: one(fields.provider),
      types: one(fields.type),
      tenant: fields.tenant === '' ? null : fields.tenant,
      since: time(fields.since, 'since'),
      until: time(fields.until, 'until')
    }
  }
}

/** The filters as a query string (without the empty ones), for links and forms that carry them on. */
export function filterQuery (fields: FilterFields, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries({ ...fields, ...extra })) if (value !== '') params.set(name, value)
  const query = params.toString()
  return query === '' ? '' : `?${query}`
}

export function encodeCursor (cursor: InboxCursor): string {
  return Buffer.from(JSON.stringify([cursor.receivedAt, cursor.key])).toString('base64url')
}

export function decodeCursor (value: unknown): InboxCursor | null {
  if (value === undefined || value === '') return null
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(String(value), 'base64url').toString('utf8'))
  } catch {
    parsed = null
  }
  if (
    !Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[1] !== 'string' ||
    typeof parsed[0] !== 'string' || !PG_TIME.test(parsed[0])
  ) {
    throw new DashboardBadQueryError('after', 'is not a cursor of this list: start again from its first page')
  }
  return { receivedAt: parsed[0], key: parsed[1] }
}
