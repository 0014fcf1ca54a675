import { readFile } from 'node:fs/promises'
import type { ProviderSpec } from '../lib/core/provider.js'

/** Where a command writes, and what it reads from its environment: the process's, or a test's. */
export interface Io {
  out (text: string): void
  err (text: string): void
  /** redraws one status line (a progress bar); absent: each goes to `err` as a line */
  progress?: ((text: string) => void) | undefined
  env: Record<string, string | undefined>
}

/** What every command is handed once its arguments parse. */
export interface CommandInput<V> {
  /** the shipped provider named, or the one a module given by path exports */
  provider: ProviderSpec
  /** positionals after the provider */
  positionals: string[]
  values: V
  io: Io
}

/** A mistake in the command line: exit code 2, with usage. */
export class UsageError extends Error {}

/** `--secret` values, or WEBHOOK_SECRET when none is given. */
export function secretsFrom (values: { secret?: string[] }, io: Io): string[] {
  const secrets = values.secret ?? (io.env.WEBHOOK_SECRET === undefined ? [] : [io.env.WEBHOOK_SECRET])
  if (secrets.length === 0) throw new UsageError('--secret is required (or set WEBHOOK_SECRET)')
  return secrets
}

/** A file's bytes; a file that cannot be read is a usage error, with the reason. */
export async function readInput (path: string, option: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (err) {
    throw new UsageError(`${option} ${path}: cannot read it (${(err as NodeJS.ErrnoException).code})`)
  }
}

/** A whole number from an option, within bounds. */
export function count (value: string | undefined, option: string, fallback: number, max: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!/^[0-9]+$/.test(value) || n < 1 || n > max) {
    throw new UsageError(`${option} must be a whole number from 1 to ${max}, not "${value}"`)
  }
  return n
}

/** `--url`: an http or https URL; `example` is shown when it is missing. */
export function httpUrl (value: string | undefined, example: string): string {
  if (value === undefined) throw new UsageError(`--url is required, e.g. --url ${example}`)
  const url = URL.parse(value)
  if (url !== null && (url.protocol === 'http:' || url.protocol === 'https:')) return url.href
  // Without it, "127.0.0.1:3000/..." is no URL at all and "localhost:3000/..." one of scheme "localhost:".
  if (!value.includes('://') && URL.canParse(`http://${value}`)) {
    throw new UsageError(`--url "${value}" lacks http:// or https://: add http:// (--url http://${value})`)
  }
  if (url === null) throw new UsageError(`--url "${value}" is not a URL`)
  throw new UsageError(`--url must be http or https, not ${url.protocol}`)
}

/** The network error's own reason (fetch wraps it as "fetch failed"); a timeout has none and says so itself. */
export function networkReason (err: unknown): string {
  const { cause, message } = err as Error & { cause?: { code?: string, message?: string } }
  return cause?.code ?? cause?.message ?? message
}

/** Rows as columns padded to their widest cell, under a header of the first row's keys. */
export function formatTable (rows: Array<Record<string, string>>): string {
  const columns = Object.keys(rows[0]!)
  const cells = [columns, ...rows.map(r => columns.map(c => r[c]!))]
  const widths = columns.map((_, i) => Math.max(...cells.map(line => line[i]!.length)))
  return cells.map(line => line.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}
