import { diagnose } from '../lib/schemes/diagnose.js'
import type { ProviderSpec } from '../lib/core/provider.js'
import type { Headers } from '../lib/schemes/scheme.js'
import { providers } from '../plugins/registry.js'
import { UsageError, count, readInput, secretsFrom, type CommandInput } from './io.js'

export const verifyOptions = {
  secret: { type: 'string', multiple: true },
  headers: { type: 'string' },
  body: { type: 'string' },
  tolerance: { type: 'string' },
  url: { type: 'string' }
} as const

interface VerifyValues { secret?: string[], headers?: string, body?: string, tolerance?: string, url?: string }

/** `verify <provider>`: whether a captured delivery verifies, and if not, the likely reason. Exit 0 or 1. */
export async function verify ({ provider, positionals, values, io }: CommandInput<VerifyValues>): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`verify takes only a provider, not "${positionals.join(' ')}"`)
  const secrets = secretsFrom(values, io)
  if (values.headers === undefined) {
    throw new UsageError('--headers <headers.json> is required: the request headers, as a JSON object')
  }
  if (values.body === undefined) throw new UsageError('--body <file> is required: the exact bytes of the request body')
  // The route's default: the sender's own window where its scheme has one (Paddle's 5 s), else 300 s.
  const tolerance = count(values.tolerance, '--tolerance', provider.scheme.tolerance ?? 300, 1e10)
  const url = signedUrl(provider, values.url)
  const headers = parseHeaders(await readInput(values.headers, '--headers'), values.headers)
  const body = await readInput(values.body, '--body')

  const result = diagnose({
    provider,
    others: Object.values(providers).map(plugin => plugin.provider).filter(other => other.name !== provider.name),
    secrets,
    headers,
    body,
    now: Math.floor(Date.now() / 1000),
    tolerance,
    url
  })
  if (result.ok) {
    io.out(result.summary)
    return 0
  }
  io.out([`does not verify: ${result.summary}`, ...result.hints.map(hint => `  - ${hint}`)].join('\n'))
  return 1
}

/**
 * The URL the sender posted to, for a provider whose scheme signs it: required, and taken as written (the sender
 * signs the text it calls, default port and all); refused for the others, which would ignore it.
 */
function signedUrl ({ name, scheme }: ProviderSpec, url: string | undefined): string | undefined {
  if (scheme.signsUrl !== true) {
    if (url !== undefined) throw new UsageError(`--url: ${name} does not sign the URL, so there is none to check`)
    return undefined
  }
  if (url === undefined) {
    throw new UsageError(
      `--url <url> is required: ${name} signs the URL it posts to (the one set in its dashboard, e.g. ` +
      `https://example.com/webhooks/${name})`
    )
  }
  const parsed = URL.parse(url)
  if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new UsageError(`--url "${url}" is not an http or https URL`)
  }
  return url
}

function parseHeaders (bytes: Buffer, path: string): Headers {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch (err) {
    throw new UsageError(`--headers ${path}: not JSON (${(err as Error).message})`)
  }
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      v => typeof v === 'string' || (Array.isArray(v) && v.every(item => typeof item === 'string'))
    )
  if (!valid) throw new UsageError(`--headers ${path}: must be a JSON object of header name to string value`)
  return value as Headers
}
