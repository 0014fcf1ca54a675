/**
 * The options of the kit's `receive`, one table: a type test (test-d/types.ts) holds `KitHandlers` to its
 * names. Apart from the entry module, so that the table is no export of `fastify-webhooks/testing`.
 */
import { HANDLER_OPTIONS } from '../core/handlers.js'
import { optionTable } from '../core/option-table.js'
import type { ProviderSpec } from '../core/provider.js'
import { otherOptions, receiverOptions } from '../fastify/options.js'

export const kitOptions = optionTable({ ...HANDLER_OPTIONS })

/**
 * Besides the handlers, `receive` takes the plugin's options as they are (those a provider's checks read,
 * such as Retab's `extraction`, among them): their names are known, and the route's checks are not run.
 */
export function pluginOptions (spec: ProviderSpec): readonly string[] {
  return [...receiverOptions.names, ...otherOptions(spec)]
}
