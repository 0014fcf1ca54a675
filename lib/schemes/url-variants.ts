/**
 * The URLs a sender may have signed instead of the one given, for the CLI's `verify` of a URL-signing scheme: the
 * common mistakes are http for https, a port (the default one written out, or the app's own behind a proxy), a
 * trailing slash, a query the sender does not send, and the host a proxy rewrote. Each variant says what differs.
 */
import type { Headers } from './scheme.js'
import { headerValue } from './scheme.js'

export interface UrlVariant {
  url: string
  /** what differs from the given URL, for people: `https, not http`, `no port`, ... */
  differences: string[]
}

interface Parts { scheme: string, user: string, host: string, port: string, path: string, query: string }

/** A URL split without normalizing it (`new URL` would drop a default port and escape characters). */
function split (url: string): Parts | undefined {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#@]*@)?(\[[^\]]*\]|[^/?#:@]*)(:\d*)?([^?#]*)(\?[^#]*)?/i.exec(url)
  if (match === null) return undefined
  const [, scheme, user = '', host, port = '', path, query = ''] = match
  return { scheme: scheme!, user, host: host!, port, path: path!, query }
}

function join ({ scheme, user, host, port, path, query }: Parts): string {
  return `${scheme}://${user}${host}${port}${path}${query}`
}

const DEFAULT_PORTS: Record<string, string> = { http: ':80', https: ':443' }

/**
 * A URL without its port, and with the default port of its scheme where it has none (the URL itself where it has
 * one, or is no http(s) URL): the two forms Twilio's `validateRequest` accepts.
 */
export function portForms (url: string): readonly string[] {
  const parts = split(url)
  const port = parts === undefined ? undefined : DEFAULT_PORTS[parts.scheme.toLowerCase()]
  if (parts === undefined || port === undefined) return [url]
  return [join({ ...parts, port: '' }), parts.port === '' ? join({ ...parts, port }) : url]
}

/** The variants of `given` (not `given` itself), the captured headers' own hosts included. */
export function urlVariants (given: string, headers: Headers): UrlVariant[] {
  const parts = split(given)
  if (parts === undefined) return []
  const swapped = parts.scheme.toLowerCase() === 'https' ? 'http' : 'https'
  const schemes = [parts.scheme, swapped]
  const hosts = [parts.host, ...forwardedHosts(headers)]
  const found = new Map<string, UrlVariant>()
  for (const scheme of schemes) {
    const defaultPort = DEFAULT_PORTS[scheme.toLowerCase()]!
    for (const host of new Set(hosts)) {
      for (const port of new Set([parts.port, '', defaultPort])) {
        const slashed = parts.path.endsWith('/') ? parts.path.slice(0, -1) : `${parts.path}/`
        for (const path of [parts.path, slashed]) {
          for (const query of new Set([parts.query, ''])) {
            const variant = { ...parts, scheme, host, port, path, query }
            const url = join(variant)
            if (url === given || found.has(url)) continue
            found.set(url, { url, differences: differences(parts, variant) })
          }
        }
      }
    }
  }
  // The fewest differences first: the likeliest mistake.
  return [...found.values()].sort((a, b) => a.differences.length - b.differences.length)
}

/** The hosts the capture's headers name: `Host`, and a proxy's `X-Forwarded-Host` (its first entry). */
function forwardedHosts (headers: Headers): string[] {
  const hosts: string[] = []
  for (const name of ['x-forwarded-host', 'host']) {
    const value = headerValue(headers, name)?.split(',')[0]?.trim().replace(/:\d+$/, '')
    if (value !== undefined && value !== '') hosts.push(value)
  }
  return hosts
}

function differences (given: Parts, variant: Parts): string[] {
  const said: string[] = []
  if (variant.scheme !== given.scheme) said.push(`${variant.scheme}, not ${given.scheme}`)
  if (variant.host !== given.host) said.push(`the host ${variant.host}, not ${given.host}`)
  if (variant.port !== given.port) {
    said.push(variant.port === '' ? `no port, not ${given.port.slice(1)}` : `the port ${variant.port.slice(1)}`)
  }
  if (variant.path !== given.path) {
    said.push(variant.path.endsWith('/') ? 'a trailing slash' : 'no trailing slash')
  }
  if (variant.query !== given.query) said.push('no query string')
  return said
}
