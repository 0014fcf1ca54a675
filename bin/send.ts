import { createHash, randomBytes } from 'node:crypto'
import { formatOf } from '../lib/core/body-format.js'
import type { ProviderSpec } from '../lib/core/provider.js'
import type { Headers } from '../lib/schemes/scheme.js'
import { examplesOf, sign } from '../lib/testing/kit.js'
import { UsageError, count, httpUrl, networkReason, readInput, secretsFrom, type CommandInput } from './io.js'

export const sendOptions = {
  url: { type: 'string' },
  secret: { type: 'string', multiple: true },
  file: { type: 'string' },
  repeat: { type: 'string' },
  tamper: { type: 'boolean' },
  stale: { type: 'boolean' }
} as const

interface SendValues {
  url?: string
  secret?: string[]
  file?: string
  repeat?: string
  tamper?: boolean
  stale?: boolean
}

/** Svix wants an answer within 15 s; a slower endpoint counts as failing. */
const TIMEOUT_MS = 15_000
const STALE_SECONDS = 3600
const MAX_ANSWER = 500

/**
 * `send <provider> [type]`: a correctly signed delivery, as the provider would send it. With --repeat, the same
 * event again (same id, fresh signature), as the provider's retries are. With --tamper or --stale, a broken one:
 * then the command succeeds when the endpoint refuses every delivery (4xx), and fails when it accepts one.
 */
export async function send ({ provider: spec, positionals, values, io }: CommandInput<SendValues>): Promise<number> {
  const { scheme, name: provider } = spec
  if (positionals.length > 1) {
    throw new UsageError(`send takes a provider and one event type, not "${positionals.join(' ')}"`)
  }
  const url = httpUrl(values.url, `http://127.0.0.1:3000/webhooks/${provider}`)
  const secrets = signingSecrets(spec, secretsFrom(values, io))
  const repeat = count(values.repeat, '--repeat', 1, 1000)
  const timed = scheme.signsTimestamp
  if (values.stale === true && !timed) {
    throw new UsageError(
      `--stale: ${provider} signs no timestamp, so a delivery cannot be stale (deduplication is its replay defence)`
    )
  }

  if (values.tamper === true && scheme.signsBody === false) {
    throw new UsageError(
      `--tamper: ${provider} signs nothing of the body, so a changed body cannot be refused; ` +
      'send with another --secret to check that the endpoint refuses a wrong one'
    )
  }

  const [type] = positionals
  // A --file's bytes as they are, or the sample, which the kit puts in the format the sender would.
  let payload: unknown
  let label: string
  let eventType: string | undefined
  if (values.file !== undefined) {
    if (type !== undefined) throw new UsageError('give an event type or --file, not both')
    payload = (await readInput(values.file, '--file')).toString('utf8')
    label = values.file
  } else {
    const samples = examplesOf(spec)
    const chosen = type ?? spec.sample?.type ?? Object.keys(samples)[0] ?? ''
    if (!Object.hasOwn(samples, chosen)) {
      throw new UsageError(`unknown ${provider} event type "${chosen}" (types: ${Object.keys(samples).join(', ')})`)
    }
    const sample = samples[chosen]
    if (sample === undefined) {
      throw new UsageError(`the ${provider} schema of "${chosen}" has no example to send: give --file`)
    }
    payload = fresh(spec, sample)
    label = chosen
    eventType = chosen
  }

  const broken = values.tamper === true || values.stale === true
  const id = `msg_${randomBytes(12).toString('hex')}`
  let failures = 0
  for (let attempt = 1; attempt <= repeat; attempt++) {
    const timestamp = Math.floor(Date.now() / 1000) - (values.stale === true ? STALE_SECONDS : 0)
    // A scheme that signs the URL (Square, Twilio) signs the one posted to, as the sender signs the one it calls.
    const delivery = sign({ provider: spec }, payload, {
      secret: secrets[0]!,
      id,
      timestamp,
      url,
      ...(eventType === undefined ? {} : { type: eventType })
    })
    // The kit signs with one secret; the scheme's own headers, signed with each, take the place of its signature.
    const headers = { ...delivery.headers, ...scheme.sign(secrets, delivery.body, { id, timestamp, url }) }
    // Tampered: one byte added after signing (still valid JSON, so only the signature can catch it).
    const sent = values.tamper === true ? `${delivery.body}\n` : delivery.body
    const eventId = idOfEvent(spec, delivery.body, headers, timed ? id : undefined)
    const what = [
      provider,
      label,
      eventId === undefined ? '' : `id ${eventId}`,
      values.tamper === true ? 'tampered' : '',
      values.stale === true ? `signed ${STALE_SECONDS} s ago` : ''
    ]
    io.out(`POST ${url} (${what.filter(Boolean).join(', ')})${repeat > 1 ? ` [${attempt}/${repeat}]` : ''}`)
    let res: Response
    try {
      res = await fetch(url, { method: 'POST', headers, body: sent, signal: AbortSignal.timeout(TIMEOUT_MS) })
    } catch (err) {
      io.err(`could not reach ${url}: ${networkReason(err)}`)
      return 1
    }
    const answer = await res.text()
    io.out(
      `${res.status} ${res.statusText}` +
      `${answer === '' ? '' : ` ${answer.length > MAX_ANSWER ? answer.slice(0, MAX_ANSWER) + '…' : answer}`}`
    )
    const refused = res.status >= 400 && res.status < 500
    if (broken ? !refused : !res.ok) failures++
  }
  if (failures > 0) {
    io.err(
      broken
        ? `the endpoint accepted ${failures} of ${repeat} broken deliveries: it does not verify ` +
          `signatures${values.stale === true ? ' or timestamps' : ''}`
        : `the endpoint refused ${failures} of ${repeat} deliveries`
    )
    return 1
  }
  if (broken) io.out('refused, as it should be')
  return 0
}

/**
 * The secrets to sign with, each in the provider's format: one signature each, as a sender rotating keys
 * sends, where the scheme's headers carry that many.
 */
function signingSecrets ({ name, scheme }: ProviderSpec, secrets: string[]): string[] {
  const most = scheme.maxSignatures ?? 1
  if (secrets.length > most) {
    throw new UsageError(
      `--secret is given ${secrets.length} times, but ${name}'s deliveries (${scheme.title}) carry ` +
      `${most === 1 ? 'one signature: give one secret' : `at most ${most} signatures`}`
    )
  }
  secrets.forEach((secret, index) => {
    try {
      // Checked by signing, not by parsing: a sender's secret (an ed25519 "whsk_") is not what a receiver holds.
      scheme.sign(secret, '', { url: 'https://example.com/' })
    } catch (err) {
      throw new UsageError(
        `--secret${secrets.length === 1 ? '' : ` ${index + 1}`} is not in ${name}'s format: it ` +
        `${(err as Error).message}`
      )
    }
  })
  return secrets
}

/**
 * The sample as a new event: each `send` is a new delivery (as `stripe trigger` makes a new event), so the
 * endpoint does not answer it as a duplicate of the last run. The provider says which fields its event id
 * comes from; --repeat then resends this same event.
 */
function fresh (spec: ProviderSpec, sample: unknown): unknown {
  const { fresh } = spec.sample ?? {}
  // An example is a payload, so an object: each provider's sample is checked against its schema in our tests.
  return fresh === undefined ? sample : fresh({ ...sample as object })
}

/**
 * The id the endpoint deduplicates the delivery on, found as the route finds it (lib/core/receive.ts): the
 * provider's own (`idOf`, often a body field), else the id the scheme signs, else the body's SHA-256. Undefined
 * for a body that is no event (a --file that does not parse) and for a batch, whose events each have their own.
 */
export function idOfEvent (
  spec: ProviderSpec,
  body: string,
  headers: Headers,
  signedId: string | undefined
): string | undefined {
  const bytes = Buffer.from(body)
  const context = { headers, signedId }
  try {
    const payload = formatOf(spec, headers).parse(bytes, {})
    if (spec.eventsOf?.(payload, context) !== undefined) return undefined
    return spec.idOf?.(payload, context) ?? signedId ?? createHash('sha256').update(bytes).digest('hex')
  } catch {
    return undefined
  }
}
