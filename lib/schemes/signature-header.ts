/**
 * Reading the signatures a delivery carries: one per header after a prefix (`sha256=<hex>`), or a list of entries in
 * one header (`t=…,v1=…`). Bounded work whatever the sender sends: a header over MAX_SIGNATURE_HEADER characters is
 * refused, and at most MAX_SIGNATURES signatures are kept.
 */
import { MAX_SIGNATURES, MAX_SIGNATURE_HEADER, headerValue, reject, type Headers, type Rejection } from './scheme.js'
import type { SignatureHeader } from './shape.js'

/** Where the signatures go, and the timestamp entry's value where the list has one: a delivery's own object. */
export interface ReadSignatures {
  signatures: string[]
  stamp: string | undefined
}

/** A SignatureHeader with its names lowercased and its defaults in. */
export type SignatureReader =
  | { kind: 'prefixed', names: readonly string[], prefix: string }
  | { kind: 'entries', name: string, separator: string, assign: string, key: string, stampKey: string | undefined }

export function signatureReader (format: SignatureHeader, stampKey: string | undefined): SignatureReader {
  if ('entries' in format) {
    const { separator, assign, signature } = format.entries
    for (const [what, value] of [['separator', separator], ['assign', assign], ['signature', signature]] as const) {
      if (typeof value !== 'string' || value.length === 0) {
        throw new TypeError(`signature.entries.${what} must be a non-empty string`)
      }
    }
    return { kind: 'entries', name: headerName(format.header), separator, assign, key: signature, stampKey }
  }
  if (stampKey !== undefined) throw new TypeError('timestamp.entry needs signature.entries: a list to find it in')
  const names = (typeof format.header === 'string' ? [format.header] : [...format.header]).map(headerName)
  if (names.length === 0) throw new TypeError('signature.header must name at least one header')
  return { kind: 'prefixed', names, prefix: format.prefix ?? '' }
}

/** A header name as Node gives it: lowercase. */
export function headerName (name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('a header name must be a non-empty string')
  return name.toLowerCase()
}

/** The header names the reader looks at. */
export function readerHeaders (reader: SignatureReader): readonly string[] {
  return reader.kind === 'prefixed' ? reader.names : [reader.name]
}

/** Fills `into` with the signatures (and the timestamp entry); the refusal when they cannot be read. */
export function readSignatures (
  reader: SignatureReader,
  headers: Headers,
  into: ReadSignatures
): Rejection | undefined {
  return reader.kind === 'prefixed' ? prefixed(reader, headers, into) : entries(reader, headers, into)
}

type Reader<Kind> = Extract<SignatureReader, { kind: Kind }>

function prefixed (reader: Reader<'prefixed'>, headers: Headers, into: ReadSignatures): Rejection | undefined {
  const { names, prefix } = reader
  const { signatures } = into
  for (const name of names) {
    const value = headerValue(headers, name)
    if (value === undefined) continue
    if (value.length > MAX_SIGNATURE_HEADER) return reject('malformed-signature', `${name} header too long`)
    if (!value.startsWith(prefix)) return reject('malformed-signature', `${name} header lacks the "${prefix}" prefix`)
    signatures.push(value.slice(prefix.length))
  }
  if (signatures.length === 0) return reject('missing-signature', `no ${names.join(' or ')} header`)
  return undefined
}

function entries (reader: Reader<'entries'>, headers: Headers, into: ReadSignatures): Rejection | undefined {
  const { name, separator, assign, key, stampKey } = reader
  const list = headerValue(headers, name)
  if (list === undefined) return reject('missing-signature', `no single ${name} header`)
  if (list.length > MAX_SIGNATURE_HEADER) return reject('malformed-signature', `${name} header too long`)
  const { signatures } = into
  let stamp: string | undefined
  // Walked with indexOf rather than split: no array of every entry. Past MAX_SIGNATURES only a timestamp is looked for.
  for (let start = 0; start <= list.length;) {
    const next = list.indexOf(separator, start)
    const end = next === -1 ? list.length : next
    if (list.startsWith(key, start) && list.startsWith(assign, start + key.length)) {
      if (signatures.length < MAX_SIGNATURES) signatures.push(list.slice(start + key.length + assign.length, end))
      else if (stampKey === undefined) break
    } else if (stampKey !== undefined && list.startsWith(stampKey, start) &&
      list.startsWith(assign, start + stampKey.length)) {
      // Two timestamps: which one was signed is anyone's guess, so neither is trusted.
      if (stamp !== undefined) return reject('malformed-signature', `${name} has more than one ${stampKey} entry`)
      stamp = list.slice(start + stampKey.length + assign.length, end)
    }
    start = end + separator.length
  }
  if (signatures.length === 0) return reject('malformed-signature', `${name} has no ${key} entry`)
  if (stampKey !== undefined && stamp === undefined) {
    return reject('malformed-signature', `${name} has no ${stampKey} entry`)
  }
  into.stamp = stamp
  return undefined
}

/** The header value `sign` sends: the timestamp entry first, then one signature entry each. */
export function writeSignatures (reader: SignatureReader, signatures: readonly string[], stamp: string | undefined):
Record<string, string> {
  if (reader.kind === 'prefixed') return { [reader.names[0]!]: reader.prefix + signatures[0]! }
  const { name, separator, assign, key, stampKey } = reader
  const entries = signatures.map(signature => `${key}${assign}${signature}`)
  if (stampKey !== undefined) entries.unshift(`${stampKey}${assign}${stamp!}`)
  return { [name]: entries.join(separator) }
}
