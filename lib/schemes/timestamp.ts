/** A signed timestamp: read from its text (seconds, milliseconds, RFC 3339), and held to the tolerance window. */
import { reject, type Rejection, type VerifyContext } from './scheme.js'

export type TimestampFormat = 'seconds' | 'milliseconds' | 'rfc3339'

const SECONDS = /^[0-9]{1,12}$/
const MILLISECONDS = /^[0-9]{1,15}$/
// Fractions to nanoseconds (Twitch sends nine digits); `T` and `Z` in either case, as RFC 3339 allows.
const RFC3339 = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{1,9})?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))$/

/** What each format is called in a refusal: `x-timestamp is not integer seconds`. */
export const FORMAT_TITLES: Record<TimestampFormat, string> = {
  seconds: 'integer seconds',
  milliseconds: 'integer milliseconds',
  rfc3339: 'an RFC 3339 date and time'
}

/** Whole seconds since the epoch of a timestamp as sent, or undefined when it is not one of its format. */
export function readTimestamp (text: string, format: TimestampFormat): number | undefined {
  if (format === 'seconds') return SECONDS.test(text) ? Number(text) : undefined
  if (format === 'milliseconds') return MILLISECONDS.test(text) ? Math.floor(Number(text) / 1000) : undefined
  return rfc3339Seconds(text)
}

function rfc3339Seconds (text: string): number | undefined {
  const match = RFC3339.exec(text)
  if (match === null) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number, number, number, number, number, number
  ]
  // Date.UTC reads years 0 to 99 as 1900 to 1999: the year is set on its own.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second))
  date.setUTCFullYear(year, month - 1, day)
  const ms = date.getTime()
  // Date.UTC rolls 31 February over into March: refuse any field out of its range instead.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined
  }
  const sign = match[7]
  if (sign === undefined) return ms / 1000
  const [offsetHours, offsetMinutes] = [Number(match[8]), Number(match[9])]
  if (offsetHours > 23 || offsetMinutes > 59) return undefined
  const offset = (offsetHours * 60 + offsetMinutes) * 60
  return sign === '+' ? ms / 1000 - offset : ms / 1000 + offset
}

/** The text `sign` sends for a timestamp in seconds. */
export function writeTimestamp (seconds: number, format: TimestampFormat): string {
  if (format === 'seconds') return String(seconds)
  if (format === 'milliseconds') return String(seconds * 1000)
  return new Date(seconds * 1000).toISOString()
}

/** The refusal of a timestamp outside the window, both directions; undefined inside it. */
export function outsideWindow (timestamp: number, context: VerifyContext): Rejection | undefined {
  const skew = context.now - timestamp
  if (skew > context.tolerance) {
    return reject('timestamp-outside-tolerance', `timestamp ${skew} s in the past (tolerance ${context.tolerance} s)`)
  }
  if (-skew > context.tolerance) {
    return reject(
      'timestamp-outside-tolerance',
      `timestamp ${-skew} s in the future (tolerance ${context.tolerance} s)`
    )
  }
  return undefined
}
