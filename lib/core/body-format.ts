/**
 * How a provider's body becomes a payload once its bytes are verified: JSON for most senders, a form for those
 * that post `application/x-www-form-urlencoded` (Twilio, Slack's slash commands). A provider names its format in
 * `ProviderSpec.body`; the route takes exactly the format's content types.
 */
import sjson from 'secure-json-parse'
import { WebhookInvalidFormError, WebhookInvalidJsonError } from './errors.js'

/** How to parse JSON: the poisoning settings of the app (Fastify's `onProtoPoisoning`, `onConstructorPoisoning`). */
export interface ParseOptions {
  protoAction?: 'error' | 'remove' | 'ignore'
  constructorAction?: 'error' | 'remove' | 'ignore'
}

export interface BodyFormat {
  /** For people, after "not": `JSON`, `a form`. */
  readonly title: string
  /** The media types the route takes, lowercase, without parameters. */
  readonly contentTypes: readonly string[]
  /** The payload of verified bytes; throws when they are not of this format. */
  parse (body: Buffer, options: ParseOptions): unknown
  /** What a body `parse` throws on is answered with (a 400), and the log line that says so. */
  readonly malformed: { error (): Error, readonly message: string }
}

export const jsonBody: BodyFormat = {
  title: 'JSON',
  contentTypes: ['application/json'],
  parse: (body, options) => sjson.parse(body, undefined, options),
  malformed: { error: () => new WebhookInvalidJsonError(), message: 'webhook body is not valid JSON' }
}

/** Fatal: a byte that is not UTF-8 would otherwise become U+FFFD, a field the sender never sent. */
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A form: each field once is a string, a field sent more than once a list of its values in order. */
export const formBody: BodyFormat = {
  title: 'a form',
  contentTypes: ['application/x-www-form-urlencoded'],
  parse (body) {
    // A Map, then own properties: a field named `__proto__` stays a field.
    const fields = new Map<string, string | string[]>()
    for (const [name, value] of new URLSearchParams(utf8.decode(body))) {
      const seen = fields.get(name)
      fields.set(name, seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value])
    }
    return Object.fromEntries(fields)
  },
  malformed: { error: () => new WebhookInvalidFormError(), message: 'webhook body is not a form of UTF-8 text' }
}
