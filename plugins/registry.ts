/**
 * The providers this package ships, by name: the one list the CLI, the testing kit, the demo,
 * the package check and the tests derive from. A new provider is its two files and a line here (and its name in
 * bin/shipped.ts, so that the CLI's usage lists it without loading any provider; test/import-graph.test.ts checks).
 */
import { autosana } from './autosana.js'
import { autotab } from './autotab.js'
import { cyberdesk } from './cyberdesk.js'
import { discord } from './discord.js'
import { github } from './github.js'
import { gitlab } from './gitlab.js'
import { linear } from './linear.js'
import { paddle } from './paddle.js'
import { pulse } from './pulse.js'
import { retab } from './retab.js'
import { sendgrid } from './sendgrid.js'
import { shopify } from './shopify.js'
import { slack } from './slack.js'
import { square } from './square.js'
import { stripe } from './stripe.js'
import { twilio } from './twilio.js'
import { twitch } from './twitch.js'

export const providers = {
  autotab,
  autosana,
  cyberdesk,
  retab,
  pulse,
  stripe,
  github,
  slack,
  shopify,
  paddle,
  gitlab,
  discord,
  sendgrid,
  twitch,
  square,
  twilio,
  linear
}
export type ProviderName = keyof typeof providers
