/** The idempotency key of an event, the same in the route and in a queue worker. */

/**
 * `provider:id`, or `provider/tenant:id` for an event of one tenant, so that two tenants' events with the same
 * id never collide. A provider name has no `/`, and the tenant is escaped, so no two events share a key.
 */
export function eventKey (event: { provider: string; id: string; tenant?: string | undefined }): string {
  return event.tenant === undefined
    ? `${event.provider}:${event.id}`
    : `${event.provider}/${encodeURIComponent(event.tenant)}:${event.id}`
}
