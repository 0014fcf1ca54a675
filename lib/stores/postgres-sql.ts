/**
 * The SQL of the Postgres idempotency store, made once per store from its
 * schema and table names. Plain strings: the store sends them through `pg`,
 * and teams that run their own migrations copy `migrationSql()`.
 *
 * One row per event key: `done` false is a lease held until `expires_at` by the
 * store whose id starts `token`; `done` true is a handled event, remembered
 * until `expires_at`. A row past `expires_at` counts as absent.
 *
 * A store that keeps events (its `inbox` option) also fills the event's columns:
 * provider, id, type, payload, meta (what the signature said, such as its
 * timestamp), status (`processing`, `done`, `failed`, `invalid`), attempts, the
 * last error, when it was received and processed, and `keep_until`: a failed or
 * invalid event's row stays (past its `expires_at`, so that a retry may take its
 * key, or a replay reopen it) until then.
 */

export interface TableOptions {
  /** Default `public`. Created by `migrate()` when it is another schema. */
  schema?: string | undefined
  /** Default `fastify_webhooks_idempotency`. */
  table?: string | undefined
}

/** The names with their defaults (not `TableNames`: under exact optional types that keeps `undefined`). */
export interface TableNames {
  schema: string
  table: string
}

export interface Statements {
  /** takes a key (the store's `claim`) */
  take: string
  /** `take` that also writes the event's columns */
  takeKeeping: string
  complete: string
  release: string
  /** `release` that keeps the row, as failed, with its error */
  releaseKeeping: string
  /** `complete` inside a transaction, only while the lease is still this store's */
  completeOwned: string
  /** keeps an event whose payload failed its schema, unless a live lease or a done mark holds its key */
  keepInvalid: string
  /** the kept events a replay selects, in batches */
  select: string
  /** reopens one kept event for a replay (the store's `reclaim`), when its status is one the replay asked for */
  reopen: string
  purge: string
  /** how many kept events a replay's selection takes */
  count: string
  /** how many rows `purge` would delete */
  purgeable: string
  /** a page of kept events, newest first, after a (received at, key) cursor */
  list: string
  /** one kept event, with everything the inbox keeps of it */
  event: string
}

export const DEFAULT_SCHEMA = 'public'
export const DEFAULT_TABLE = 'fastify_webhooks_idempotency'

// Lower case only, so the names mean the same quoted (as here) or unquoted (as in a user's own queries).
// A table name leaves room for its index's name within Postgres' 63 characters.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/
const TABLE_NAME = /^[a-z_][a-z0-9_]{0,47}$/

/** Checks the names, for the error to name the option; returns them with their defaults. */
export function tableNames (options: TableOptions, context: string): TableNames {
  const { schema = DEFAULT_SCHEMA, table = DEFAULT_TABLE } = options
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new TypeError(
      `${context}: option "schema" must be a lower-case SQL name (letters, digits, _), up to 63 characters`
    )
  }
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new TypeError(
      `${context}: option "table" must be a lower-case SQL name (letters, digits, _), up to 48 characters`
    )
  }
  return { schema, table }
}

/** The names are checked above, so quoting cannot be escaped; quoting keeps SQL keywords usable as names. */
const quote = (name: string): string => `"${name}"`

/** The table and index, created only where missing: safe to run on every start. */
export function migrationSql (options: TableOptions = {}): string {
  const { schema, table } = tableNames(options, 'migrationSql')
  const name = `${quote(schema)}.${quote(table)}`
  return [
    ...(schema === DEFAULT_SCHEMA ? [] : [`CREATE SCHEMA IF NOT EXISTS ${quote(schema)};`]),
    `CREATE TABLE IF NOT EXISTS ${name} (
  key text PRIMARY KEY,
  done boolean NOT NULL,
  token text,
  expires_at timestamptz NOT NULL,
  provider text,
  event_id text,
  type text,
  payload jsonb,
  meta jsonb,
  status text,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  received_at timestamptz,
  processed_at timestamptz,
  keep_until timestamptz
);`,
    `CREATE INDEX IF NOT EXISTS ${quote(`${table}_expires_at`)} ON ${name} (expires_at);`,
    // The inbox's pages and replay's batches walk kept events by (received_at, key), all or of one status.
    `CREATE INDEX IF NOT EXISTS ${quote(`${table}_inbox_list`)} ON ${name} (received_at, key) \
WHERE status IS NOT NULL;`,
    `CREATE INDEX IF NOT EXISTS ${quote(`${table}_inbox_status`)} ON ${name} (status, received_at, key) \
WHERE status IS NOT NULL;`,
    // Made by earlier versions; the first of the two above does its work.
    `DROP INDEX IF EXISTS ${quote(schema)}.${quote(`${table}_received_at`)};`
  ].join('\n') + '\n'
}

const after = (param: string): string => `now() + ${param}::float8 * interval '1 millisecond'`

export function statements (names: TableNames): Statements {
  const name = `${quote(names.schema)}.${quote(names.table)}`
  const expired = 'held.expires_at <= now()'
  const fresh = (column: string): string =>
    `${column} = CASE WHEN ${expired} THEN excluded.${column} ELSE held.${column} END`
  // $1 key, $2 this lease's token, $3 lease in ms. One statement: the insert, or the row lock that
  // ON CONFLICT takes, serialises concurrent takes of a key, and each then sees the row the other
  // left. An expired row is overwritten; a live one is written back as it was, so that RETURNING
  // always yields the row and says what holds the key. Only the take that wrote its own token is new.
  const takeIfExpired = `done = CASE WHEN ${expired} THEN false ELSE held.done END,
  ${fresh('token')},
  ${fresh('expires_at')}`
  const result = "RETURNING CASE WHEN token = $2 THEN 'new' WHEN done THEN 'done' ELSE 'in-flight' END AS result"
  const take = `INSERT INTO ${name} AS held (key, done, token, expires_at) VALUES ($1, false, $2, ${after('$3')})
ON CONFLICT (key) DO UPDATE SET
  ${takeIfExpired}
${result}`
  // Also $4 provider, $5 event id, $6 type, $7 payload, $8 meta, $9 received at, $10 ms to keep the row.
  // The first receipt's time stays; taking an expired row counts one more attempt.
  const takeKeeping = `INSERT INTO ${name} AS held (key, done, token, expires_at, provider, event_id, type, payload, \
meta, status, attempts, received_at, keep_until)
VALUES ($1, false, $2, ${after('$3')}, $4, $5, $6, $7, $8, 'processing', 1, $9, \
$9::timestamptz + $10::float8 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET
  ${takeIfExpired},
  ${['provider', 'event_id', 'type', 'payload', 'meta'].map(fresh).join(',\n  ')},
  status = CASE WHEN ${expired} THEN 'processing' ELSE held.status END,
  attempts = held.attempts + CASE WHEN ${expired} THEN 1 ELSE 0 END,
  received_at = COALESCE(held.received_at, excluded.received_at),
  keep_until = GREATEST(held.keep_until, excluded.keep_until)
${result}`
  // A kept event's status becomes done; a row that keeps no event has none.
  const done = (row: string): string =>
    `done = true, token = NULL, status = CASE WHEN ${row}.status IS NULL THEN NULL ELSE 'done' END, ` +
    'last_error = NULL, processed_at = now()'
  // $1 key, $2 ttl in ms.
  const complete = `INSERT INTO ${name} AS held (key, done, token, expires_at) VALUES ($1, true, NULL, ${after('$2')})
ON CONFLICT (key) DO UPDATE SET ${done('held')}, expires_at = excluded.expires_at`
  // $1 key, $2 this store's token prefix: a lease another store holds, or a done mark, stays.
  const owned = 'key = $1 AND NOT done AND starts_with(token, $2)'
  const release = `DELETE FROM ${name} WHERE ${owned}`
  // Also $3 the error. The row stays, past its expiry, so that the retry takes it.
  const releaseKeeping =
    `UPDATE ${name} SET token = NULL, expires_at = now(), status = 'failed', last_error = $3 WHERE ${owned}`
  // $1 key, $2 token prefix, $3 ttl in ms. The ttl counts from now, not from the transaction's start.
  const completeOwned = `UPDATE ${name} SET ${done(name)}, \
expires_at = clock_timestamp() + $3::float8 * interval '1 millisecond'
WHERE ${owned}`
  // $1 key, $2 provider, $3 event id, $4 type, $5 payload, $6 meta, $7 received at, $8 ms to keep, $9 why it is
  // invalid.
  const keepInvalid = `INSERT INTO ${name} AS held (key, done, token, expires_at, provider, event_id, type, payload, \
meta, status, attempts, last_error, received_at, keep_until)
VALUES ($1, false, NULL, now(), $2, $3, $4, $5, $6, 'invalid', 1, $9, $7, \
$7::timestamptz + $8::float8 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET
  type = excluded.type, payload = excluded.payload, meta = excluded.meta, status = 'invalid', \
attempts = held.attempts + 1,
  last_error = excluded.last_error, keep_until = GREATEST(held.keep_until, excluded.keep_until)
WHERE ${expired}`
  // The filters the replay selection and the inbox's list share: $1 statuses or null, $2 providers or null, $3 types
  // or null, $4 since or null, $5 until or null, $6 keys or null, $7 tenant or null.
  const chosen = `status IS NOT NULL
  AND ($1::text[] IS NULL OR status = ANY($1::text[]))
  AND ($2::text[] IS NULL OR provider = ANY($2::text[]))
  AND ($3::text[] IS NULL OR type = ANY($3::text[]))
  AND ($4::timestamptz IS NULL OR received_at >= $4::timestamptz)
  AND ($5::timestamptz IS NULL OR received_at < $5::timestamptz)
  AND ($6::text[] IS NULL OR key = ANY($6::text[]))
  AND ($7::text IS NULL OR meta->>'tenant' = $7::text)`
  // Also $8 and $9 the (received_at, key) after which this batch starts, $10 batch size.
  const select = `SELECT key, provider, event_id AS id, type, payload, meta, received_at AS "receivedAt" FROM ${name}
WHERE ${chosen}
  AND (received_at, key) > ($8::timestamptz, $9::text)
ORDER BY received_at, key
LIMIT $10`
  const count = `SELECT count(*)::int AS n FROM ${name} WHERE ${chosen}`
  // Also $8 and $9 the (received_at, key) of the last row of the page before, or null for the newest, $10 rows,
  // $11 the one status asked for (with $1 null): an equality, which walks the status index in order, where a list
  // of one (ANY) reads all of that status and sorts them.
  const list = `SELECT key, provider, event_id AS id, type, status, attempts, last_error AS "lastError", \
meta->>'tenant' AS tenant, received_at AS "receivedAt", processed_at AS "processedAt", \
to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US"+00"') AS "cursorAt" FROM ${name}
WHERE ${chosen}
  AND ($11::text IS NULL OR status = $11::text)
  AND ($8::timestamptz IS NULL OR (received_at, key) < ($8::timestamptz, $9::text))
ORDER BY received_at DESC, key DESC
LIMIT $10`
  // $1 key.
  const event = `SELECT key, provider, event_id AS id, type, status, attempts, last_error AS "lastError", \
meta->>'tenant' AS tenant, received_at AS "receivedAt", processed_at AS "processedAt", payload, meta, \
(NOT done AND expires_at > now()) AS leased, expires_at AS "expiresAt", keep_until AS "keepUntil" FROM ${name}
WHERE key = $1 AND status IS NOT NULL`
  // $1 key, $2 token, $3 lease in ms, $4 statuses. A live lease is never broken; a done event reopened only when asked.
  const reopen = `UPDATE ${name} SET done = false, token = $2, expires_at = ${after('$3')}, status = 'processing', \
attempts = attempts + 1
WHERE key = $1 AND status = ANY($4::text[]) AND (done OR expires_at <= now())`
  const past = 'expires_at <= now() AND (keep_until IS NULL OR keep_until <= now())'
  const purge = `DELETE FROM ${name} WHERE ${past}`
  const purgeable = `SELECT count(*)::int AS n FROM ${name} WHERE ${past}`
  return {
    take,
    takeKeeping,
    complete,
    release,
    releaseKeeping,
    completeOwned,
    keepInvalid,
    select,
    reopen,
    purge,
    count,
    purgeable,
    list,
    event
  }
}
