/**
 * The SQL of the Postgres idempotency store, made once per store from its
 * schema and table names. Plain strings: the store sends them through `pg`,
 * and teams that run their own migrations copy `migrationSql()`.
 *
 * One row per event key: `done` false is a claim held until `expires_at` by the
 * store whose id starts `token`; `done` true is a handled event, remembered
 * until `expires_at`. A row past `expires_at` counts as absent.
 */

export interface TableOptions {
  /** Default `public`. Created by `migrate()` when it is another schema. */
  schema?: string
  /** Default `fastify_webhooks_idempotency`. */
  table?: string
}

export interface Statements {
  claim: string
  complete: string
  release: string
  /** `complete` inside a transaction, only while the claim is still this store's */
  completeOwned: string
  purge: string
}

export const DEFAULT_SCHEMA = 'public'
export const DEFAULT_TABLE = 'fastify_webhooks_idempotency'

// Lower case only, so the names mean the same quoted (as here) or unquoted (as in a user's own queries).
// A table name leaves room for its index's name within Postgres' 63 characters.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/
const TABLE_NAME = /^[a-z_][a-z0-9_]{0,47}$/

/** Checks the names, for the error to name the option; returns them with their defaults. */
export function tableNames (options: TableOptions, context: string): Required<TableOptions> {
  const { schema = DEFAULT_SCHEMA, table = DEFAULT_TABLE } = options
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new TypeError(`${context}: option "schema" must be a lower-case SQL name (letters, digits, _), up to 63 characters`)
  }
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new TypeError(`${context}: option "table" must be a lower-case SQL name (letters, digits, _), up to 48 characters`)
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
  expires_at timestamptz NOT NULL
);`,
    `CREATE INDEX IF NOT EXISTS ${quote(`${table}_expires_at`)} ON ${name} (expires_at);`
  ].join('\n') + '\n'
}

const after = (param: string): string => `now() + ${param}::float8 * interval '1 millisecond'`

export function statements (names: Required<TableOptions>): Statements {
  const name = `${quote(names.schema)}.${quote(names.table)}`
  // $1 key, $2 this claim's token, $3 lease in ms. One statement: the insert, or the row lock that
  // ON CONFLICT takes, serialises concurrent claims of a key, and each then sees the row the other
  // left. An expired row is overwritten; a live one is written back as it was, so that RETURNING
  // always yields the row and says what holds the key. Only the claim that wrote its own token is new.
  const claim = `INSERT INTO ${name} AS held (key, done, token, expires_at) VALUES ($1, false, $2, ${after('$3')})
ON CONFLICT (key) DO UPDATE SET
  done = CASE WHEN held.expires_at <= now() THEN false ELSE held.done END,
  token = CASE WHEN held.expires_at <= now() THEN excluded.token ELSE held.token END,
  expires_at = CASE WHEN held.expires_at <= now() THEN excluded.expires_at ELSE held.expires_at END
RETURNING CASE WHEN token = $2 THEN 'new' WHEN done THEN 'done' ELSE 'in-flight' END AS result`
  // $1 key, $2 ttl in ms.
  const complete = `INSERT INTO ${name} (key, done, token, expires_at) VALUES ($1, true, NULL, ${after('$2')})
ON CONFLICT (key) DO UPDATE SET done = true, token = NULL, expires_at = excluded.expires_at`
  // $1 key, $2 this store's token prefix: a claim another store holds, or a done mark, stays.
  const release = `DELETE FROM ${name} WHERE key = $1 AND NOT done AND starts_with(token, $2)`
  // $1 key, $2 token prefix, $3 ttl in ms. The ttl counts from now, not from the transaction's start.
  const completeOwned = `UPDATE ${name} SET done = true, token = NULL, expires_at = clock_timestamp() + $3::float8 * interval '1 millisecond'
WHERE key = $1 AND NOT done AND starts_with(token, $2)`
  const purge = `DELETE FROM ${name} WHERE expires_at <= now()`
  return { claim, complete, release, completeOwned, purge }
}
