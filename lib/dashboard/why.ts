/**
 * The line an event's page gives for its status: what happened and what happens next, in the words of the README's
 * Errors table. The error the inbox kept (a message, never a stack) is shown beside it.
 */
import type { InboxEvent } from '../stores/postgres-inbox.js'

export function why (event: Pick<InboxEvent, 'status' | 'leased'>): string {
  switch (event.status) {
    case 'done':
      return 'Handled: the handlers ran and the event is marked done; a redelivery is answered 200 duplicate.'
    case 'failed':
      return 'A handler threw (500, WEBHOOK_HANDLER_FAILED; or the handlers\' transaction failed to commit, ' +
        'WEBHOOK_STORE_UNAVAILABLE): the event was released, so the sender\'s retry or a replay runs it.'
    case 'invalid':
      return 'A known type that fails its schema (400, WEBHOOK_INVALID_PAYLOAD; 200 with acceptInvalid): no handler ' +
        'ran; a replay after the schema is fixed recovers it.'
    case 'processing':
      return event.leased
        ? 'Being handled now: a redelivery meanwhile is answered 409 (WEBHOOK_IN_FLIGHT), and the sender retries.'
        : 'Its run stopped before it finished (the process ended, or its lease ran out): the sender\'s retry runs ' +
          'it, or a replay of status processing.'
  }
}
