/**
 * The observer the adapters hand the core (lib/core/observer.ts): what it is told goes to the diagnostics
 * channels. The one way in to lib/observe/publish.ts from outside lib/observe.
 */
import type { DeliveryObserver } from '../core/observer.js'
import type { Where } from './channels.js'
import { observing, publishAcceptedInvalid, publishDispatch, publishQueued, publishRefused } from './publish.js'

/**
 * An observer for the deliveries of one registration. `runsHandlers`: whether running an event runs its
 * handlers (inline on the route, or in a worker: true) or only hands it to a queue (false).
 */
export function deliveryObserver (where: Where, runsHandlers: boolean): DeliveryObserver {
  return {
    get observing () { return observing() },
    // An observed Dispatch always names its event (lib/core/dispatch.ts).
    observe: (d, settle) => publishDispatch(d, settle, d.event!, where, runsHandlers),
    refused: publishRefused,
    acceptedInvalid: publishAcceptedInvalid,
    queued: publishQueued
  }
}
