/**
 * The options of `replay` (fastify-webhooks/postgres), one table: a type test (test-d/types.ts) holds
 * `ReplayOptions` to its names. Apart from the entry module, so that the table is no export of it.
 */
import { HANDLER_OPTIONS } from '../core/handlers.js'
import { both, elsewhere, optionTable, optional, rule, type Checker } from '../core/option-table.js'
import type { KeptStatus } from './postgres.js'

const STATUSES: readonly KeptStatus[] = ['processing', 'done', 'failed', 'invalid']

/** A string or a non-empty array of strings, as a list. */
export function toList<T extends string> (value: T | readonly T[]): readonly T[] {
  return typeof value === 'string' ? [value] : value
}

const list = optional(value => {
  const values: unknown = typeof value === 'string' ? [value] : value
  return Array.isArray(values) && values.length > 0 && values.every(v => typeof v === 'string')
}, 'a string or a non-empty array of strings')

// Run after `list`: the value is a list of strings.
const statuses: Checker = value => {
  if (value === undefined) return undefined
  const unknown = toList(value as readonly string[]).find(s => !STATUSES.includes(s as KeptStatus))
  return unknown === undefined ? undefined : `names "${unknown}", which is not one of ${STATUSES.join(', ')}`
}

const date = optional(value => value instanceof Date && !Number.isNaN(value.getTime()), 'a Date')
const seconds = optional(value => typeof value === 'number' && value > 0, 'a positive number of seconds')

export const replayOptions = optionTable({
  providers: rule(value => Array.isArray(value) && value.length > 0, 'must name the plugins whose events to replay'),
  status: both(list, statuses),
  // Which of `providers` it may name is checked where they are read.
  provider: list,
  since: date,
  until: date,
  ttl: seconds,
  lease: seconds,
  type: list,
  ...HANDLER_OPTIONS,
  options: elsewhere,
  logger: elsewhere
})
