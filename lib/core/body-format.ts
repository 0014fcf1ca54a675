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
  /**
   * A format of several (`byContentType`): the one for the delivery's media type (lowercase, without parameters),
   * which then parses it.
   */
  select? (contentType: string): BodyFormat
  /** The body a sender would send for a payload (the testing kit and the CLI's `send`). Default: JSON. */
  serialize? (payload: unknown): string
  /**
   * A format of several: the one the sender sends this payload in (Slack: a command as a form, an event as JSON),
   * for the testing kit and the CLI's `send`. Default: the first.
   */
  sends? (payload: unknown): BodyFormat
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
  malformed: { error: () => new WebhookInvalidFormError(), message: 'webhook body is not a form of UTF-8 text' },
  serialize: payload => formText(payload)
}

/** A form of an object's fields (a list: the field once per value). */
function formText (payload: unknown): string {
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(payload as Record<string, unknown>)) {
    for (const each of Array.isArray(value) ? value : [value]) form.append(name, String(each))
  }
  return form.toString()
}

/**
 * A form whose `field` holds the JSON payload (GitHub's form content type, Slack's interactivity: `payload=`). With
 * `orForm`, a form without that field is the payload as a plain form (Slack's slash commands, on the same route).
 */
export function jsonInForm (field = 'payload', options: { orForm?: boolean | undefined } = {}): BodyFormat {
  const orForm = options.orForm === true
  return {
    title: `a form whose "${field}" field holds JSON`,
    contentTypes: formBody.contentTypes,
    parse (body, parse) {
      const fields = formBody.parse(body, parse) as Record<string, string | string[]>
      const value = Object.hasOwn(fields, field) ? fields[field] : undefined
      if (typeof value === 'string') return sjson.parse(value, undefined, parse)
      if (value === undefined && orForm) return fields
      throw new TypeError(`no single "${field}" field`)
    },
    malformed: {
      error: () => new WebhookInvalidFormError(),
      message: `webhook body is not a form whose "${field}" field holds JSON`
    },
    serialize: payload => new URLSearchParams({ [field]: JSON.stringify(payload) }).toString()
  }
}

/**
 * Several formats on one route, each for its content types: `byContentType([jsonBody, jsonInForm('payload')])`
 * takes JSON and the form alike. A media type two formats claim throws. `sends` picks the format a sender sends a
 * payload in (the testing kit's, the CLI's `send`); without it, the first.
 */
export function byContentType (
  formats: readonly BodyFormat[],
  options: { sends?: ((payload: unknown) => BodyFormat) | undefined } = {}
): BodyFormat {
  const byType = new Map<string, BodyFormat>()
  for (const format of formats) {
    for (const type of format.contentTypes) {
      if (byType.has(type)) throw new TypeError(`byContentType: two formats take ${type}`)
      byType.set(type, format)
    }
  }
  const [first] = formats
  if (first === undefined) throw new TypeError('byContentType: no format given')
  // The route takes only these media types, so another cannot reach `select`; the first format, all the same.
  const select = (contentType: string): BodyFormat => byType.get(contentType) ?? first
  return {
    title: formats.map(format => format.title).join(' or '),
    // The first format's first type first: what the kit sends.
    contentTypes: [...byType.keys()],
    parse: () => { throw new TypeError('byContentType: parse the selected format') },
    malformed: first.malformed,
    select,
    ...(first.serialize === undefined ? {} : { serialize: first.serialize }),
    ...(options.sends === undefined ? {} : { sends: options.sends })
  }
}

/** The format a provider parses a delivery with: its own, or of several the one for the delivery's media type. */
export function formatOf (
  spec: { readonly body?: BodyFormat | undefined },
  headers: { readonly [name: string]: string | string[] | undefined }
): BodyFormat {
  const formats = spec.body ?? jsonBody
  return formats.select?.(mediaType(headers['content-type'])) ?? formats
}

/** The media type of a Content-Type header: lowercase, without parameters; '' when there is none. */
export function mediaType (header: string | string[] | undefined): string {
  return typeof header === 'string' ? header.split(';', 1)[0]!.trim().toLowerCase() : ''
}
