/**
 * The observer the adapters hand the core (lib/core/observer.ts): what it is told goes to the diagnostics
 * channels. The one way in to lib/observe/publish.ts from outside lib/observe.
 */
import type { DeliveryObserver } from '../core/observer.js'
import type { Where } from './channels.js'
import { observing, publishAcceptedInvalid, publishDispatch, publishQueued, publishRefused } from './publish.js'

/**
 * An observer for the deliveries of one registration. `handles`: whether running an event handles it
 * (inline handlers, a worker) or hands it on (a queue).
 */
export function deliveryObserver (where: Where, handles: boolean): DeliveryObserver {
  return {
    get observing () { return observing() },
    // An observed Dispatch always names its event (lib/core/dispatch.ts).
    observe: (d, settle) => publishDispatch(d, settle, d.event!, where, handles),
    refused: publishRefused,
    acceptedInvalid: publishAcceptedInvalid,
    queued: publishQueued
  }
}
