/**
 * CSRF protection of the dashboard's POST actions, with no session of its own: a random token in a cookie
 * (HttpOnly, SameSite=Strict, on the dashboard's path) that each form repeats in a hidden field. Another site can
 * neither read the cookie nor make the browser send it; the browser's Origin and Sec-Fetch-Site headers, when
 * sent, must say the same origin too.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

export const CSRF_COOKIE = 'fastify_webhooks_csrf'
export const CSRF_FIELD = 'csrf'

const IN_COOKIE = new RegExp(`(?:^|;)\\s*${CSRF_COOKIE}=([A-Za-z0-9_-]{43})\\s*(?:;|$)`)

export function newToken (): string {
  return randomBytes(32).toString('base64url')
}

/** The token in the request's cookie, if it holds a well-formed one. */
export function tokenOf (cookieHeader: string | undefined): string | undefined {
  return IN_COOKIE.exec(String(cookieHeader))?.[1]
}

export function cookie (token: string, path: string, secure: boolean): string {
  return `${CSRF_COOKIE}=${token}; Path=${path}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

export interface PostFacts {
  cookie: string | undefined
  field: unknown
  origin: string | undefined
  fetchSite: string | undefined
  /** the request's own origin, e.g. `https://ops.example.com` */
  self: string
}

/** Why a POST is refused, or undefined when it came from a dashboard page. */
export function refusal ({ cookie, field, origin, fetchSite, self }: PostFacts): string | undefined {
  if (fetchSite !== undefined && fetchSite !== 'same-origin') return 'sent from another site'
  if (origin === 'null') return 'sent from an opaque origin'
  // Both through URL, which drops a default port the Host header may carry.
  if (origin !== undefined && URL.parse(origin)?.origin !== URL.parse(self)?.origin) return 'sent from another origin'
  if (cookie === undefined) return 'no CSRF cookie'
  if (typeof field !== 'string' || field.length !== cookie.length) return 'no CSRF token in the form'
  if (!timingSafeEqual(Buffer.from(field), Buffer.from(cookie))) return 'the form\'s CSRF token does not match'
  return undefined
}
