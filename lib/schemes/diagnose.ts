import type { ProviderSpec } from '../core/provider.js'
import type { Headers, Verification } from './scheme.js'
import { urlVariants } from './url-variants.js'

/**
 * Why a captured delivery does or does not verify, in words a person can act
 * on: the CLI's `verify`. It reruns the scheme's own `verify` with the checks
 * loosened one at a time (no time window, the body as a capture tool or a
 * framework may have changed it, the secret read the way a common mistake
 * reads it) to find which one breaks it. Never prints a secret or a signature.
 */
export interface Diagnosis {
  ok: boolean
  /** one line: verified, or what fails */
  summary: string
  /** what to check next, most likely first */
  hints: string[]
}

export interface DiagnoseInput {
  provider: ProviderSpec
  /** the other providers known, to recognise a secret or a capture of one of them */
  others: readonly ProviderSpec[]
  secrets: readonly string[]
  headers: Headers
  body: Buffer
  /** seconds since the epoch */
  now: number
  /** seconds */
  tolerance: number
  /** The URL the sender posted to, for a scheme that signs it (`signsUrl`). */
  url?: string | undefined
}

export function diagnose (input: DiagnoseInput): Diagnosis {
  const { provider: { scheme, name: provider }, secrets, body, now, tolerance } = input
  const headers = lowercase(input.headers)
  const keys: unknown[] = []
  for (const [i, secret] of secrets.entries()) {
    try {
      keys.push(scheme.parseSecret(secret))
    } catch (err) {
      const which = secrets.length === 1 ? 'the secret' : `secret ${i + 1}`
      return fail(
        `${which} is not in ${provider}'s format: it ${(err as Error).message}`,
        secretFormatHints(input, secret)
      )
    }
  }
  const verify = (
    candidates: readonly unknown[],
    bytes: Buffer,
    window = tolerance,
    url = input.url
  ): Verification<object> => scheme.verify(candidates, headers, bytes, { now, tolerance: window, url })

  const result = verify(keys, body)
  if (result.ok) {
    // With several secrets, say which one matched: the first that verifies alone (time aside, it passed already).
    const index = keys.findIndex(key => verify([key], body, Number.POSITIVE_INFINITY).ok)
    return verified(result, secrets.length > 1 ? `secret ${index + 1} of ${keys.length}` : undefined, now)
  }

  switch (result.reason) {
    case 'missing-signature':
      return fail(`signature headers missing: ${result.detail}`, missingHints(headers, input.others))
    case 'malformed-signature':
      return fail(`signature headers malformed: ${result.detail}`, [
        "compare the headers with what the provider sends (the provider's page, or `fastify-webhooks send` to a " +
        'local server)'
      ])
    case 'timestamp-outside-tolerance': {
      // Is the signature good apart from the time? Then it is a replay, an old capture, or a clock off.
      const timeless = verify(keys, body, Number.POSITIVE_INFINITY)
      const when = result.detail.replace(/^timestamp /, 'its timestamp is ')
      if (timeless.ok) {
        return fail(`the signature matches, but ${when}`, [
          'an old capture or a replayed delivery is refused on purpose: the sender signs each retry anew',
          'if this was a fresh delivery, the clock of the sender or of this machine is off: check NTP',
          'verifying an old capture? raise --tolerance to its age to check the signature alone'
        ])
      }
      const why = bodyOrSecret(
        input,
        keys,
        bytes => verify(keys, bytes, Number.POSITIVE_INFINITY),
        candidates => verify(candidates, body, Number.POSITIVE_INFINITY)
      )
      return fail(`${when}, and apart from that, ${why.summary}`, why.hints)
    }
    default: {
      const elsewhere = scheme.signsUrl === true && input.url !== undefined
        ? urlVariants(input.url, headers).find(variant => verify(keys, body, tolerance, variant.url).ok)
        : undefined
      if (elsewhere !== undefined) {
        return fail(`the signature matches another URL: ${elsewhere.url} (${elsewhere.differences.join(', ')})`, [
          `${provider} signs the URL it calls: the receiver must check the one set in the sender's dashboard, ` +
          'exactly (scheme, host, port, path, query)',
          'behind a proxy or a tunnel the server sees another URL than the sender called: set the receiver\'s ' +
          'publicUrl option to the public one (or trustProxy, for X-Forwarded-Proto and -Host)'
        ])
      }
      const why = bodyOrSecret(input, keys, bytes => verify(keys, bytes), candidates => verify(candidates, body))
      const url = scheme.signsUrl === true
        ? [`${provider} signs the URL too: it must be exactly the one set in the sender's dashboard`]
        : []
      return fail(why.summary, [`${result.detail}`, ...why.hints, ...url])
    }
  }
}

function fail (summary: string, hints: string[]): Diagnosis {
  return { ok: false, summary, hints }
}

function lowercase (headers: Headers): Headers {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))
}

function verified (result: Verification<object> & { ok: true }, which: string | undefined, now: number): Diagnosis {
  const parts = [`verified: the signature matches${which === undefined ? '' : ` (${which})`}`]
  if (result.id !== undefined) parts.push(`id ${result.id}`)
  const { timestamp } = result.meta as { timestamp?: number }
  if (timestamp !== undefined) parts.push(`signed ${age(now - timestamp)}`)
  return { ok: true, summary: parts.join(', '), hints: [] }
}

function age (seconds: number): string {
  return seconds >= 0 ? `${seconds} s ago` : `${-seconds} s in the future`
}

function secretFormatHints ({ provider, others }: DiagnoseInput, secret: string): string[] {
  const { scheme } = provider
  // Another provider's secret looks like nothing of ours, and fits theirs.
  const fitting = scheme.claims(secret)
    ? []
    : others.filter(other => other.scheme.name !== scheme.name && parses(other, secret))
  return [
    `${scheme.title} secrets are ${scheme.secretFormat}: copy the whole secret again from the provider's dashboard, ` +
    'without spaces or line breaks at either end',
    ...(fitting.length > 0
      ? [
          `it fits the secret format of ${fitting.map(other => other.name).join(', ')}: is it another provider's ` +
          'secret?'
        ]
      : [])
  ]
}

function parses (provider: ProviderSpec, secret: string): boolean {
  try {
    provider.scheme.parseSecret(secret)
    return true
  } catch {
    return false
  }
}

function titleOf (provider: ProviderSpec): string {
  return provider.title ?? provider.name
}

function missingHints (headers: Headers, others: readonly ProviderSpec[]): string[] {
  const names = Object.keys(headers)
  const known = new Set(others.flatMap(other => other.scheme.headers))
  const related = names.filter(name => known.has(name) || name.includes('signature'))
  return [
    names.length === 0
      ? 'the headers file is empty: capture the request headers too'
      : `headers present: ${names.join(', ')}`,
    ...(related.length > 0
      ? [`signature-like headers present: ${related.join(', ')}; is this a delivery from another provider?`]
      : []),
    'the headers file is a JSON object of header name to value, as received (names in any case)'
  ]
}

/**
 * Tells a changed body from a wrong secret, as far as it can: it tries the body as capture tools
 * and frameworks change it, and the secret as common mistakes read it.
 */
function bodyOrSecret (
  input: DiagnoseInput,
  keys: unknown[],
  withBody: (bytes: Buffer) => Verification<object>,
  withKeys: (keys: readonly unknown[]) => Verification<object>
): { summary: string, hints: string[] } {
  const { body, secrets, provider: { scheme, name: provider } } = input
  if (scheme.signsBody === false) {
    // Nothing of the body is signed: only the secret can be wrong.
    return {
      summary: `the token does not match: it is not this endpoint's secret (${keys.length} tried)`,
      hints: [
        `${provider} sends the secret itself in ${scheme.headers.join(', ')}: copy it again from the webhook's ` +
        'settings (a token cannot be read back there: set a new one if it is lost)'
      ]
    }
  }
  const text = body.toString('utf8')
  const trimmed = text.replace(/\s+$/, '')
  if (trimmed !== text && withBody(Buffer.from(trimmed)).ok) {
    return {
      summary: 'the body has whitespace at its end that was not signed',
      hints: ['the capture added a trailing newline: save the exact bytes received']
    }
  }
  const compact = reserialized(text)
  if (compact !== undefined && compact !== text && withBody(Buffer.from(compact)).ok) {
    return {
      summary:
        'the body was re-serialized: it matches once parsed and stringified again, so these are not the bytes that ' +
        'were signed',
      hints: [
        'verify the raw bytes (request.rawBody), never JSON.stringify(request.body); a pretty-printer or a proxy may ' +
        'also have re-encoded it'
      ]
    }
  }
  // SendGrid ends its body, and each event of its list, with CRLF: a body read and written again loses them.
  const crlf = (compact ?? text).split('},{').join('},\r\n{') + '\r\n'
  if (!text.endsWith('\r\n') && withBody(Buffer.from(crlf)).ok) {
    return {
      summary: 'the body lost the line breaks (CRLF) that were signed: at its end, and between the events of a list',
      hints: [
        'verify the raw bytes (request.rawBody) exactly as received; a capture tool, a proxy or JSON.stringify ' +
        'dropped the \\r\\n the sender signed'
      ]
    }
  }
  for (const mistake of secrets.flatMap(secret => scheme.mistakenKeys?.(secret) ?? [])) {
    if (withKeys([mistake.key]).ok) return { summary: mistake.summary, hints: [mistake.hint] }
  }
  // A secret another scheme would hand out (its prefix) and this one would not: another provider's endpoint's.
  // (Stripe's and Standard Webhooks' secrets both start with whsec_: neither is the other's mistake by its prefix.)
  const claimed = input.others.filter(
    other => other.scheme.name !== scheme.name &&
      secrets.some(secret => !scheme.claims(secret) && other.scheme.claims(secret))
  )
  if (claimed.length > 0) {
    return {
      summary: `no signature matched, and the secret looks like a ${claimed[0]!.scheme.title} one`,
      hints: [
        `${provider} signs with ${scheme.secretFormat}: is this the secret of a ${claimed.map(titleOf).join(' or ')} ` +
        'endpoint?'
      ]
    }
  }
  return {
    summary: 'no signature matched: the body changed after signing, or the secret is not this endpoint\'s ' +
      `(${keys.length} tried)`,
    hints: [
      'the body must be the exact bytes received: no re-encoding, no pretty-printing, no added or removed byte',
      'each endpoint has its own secret: copy it from that endpoint\'s page in the provider\'s dashboard',
      ...(keys.length === 1 ? ['rotating secrets? give --secret once per secret'] : [])
    ]
  }
}

/** The body parsed and stringified again, as a framework would; undefined when it is not JSON. */
function reserialized (text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text))
  } catch {
    return undefined
  }
}
