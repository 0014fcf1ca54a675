/** What the attack run sends: valid Retab deliveries, signed with node:crypto (not the code under test). */
import { createHmac, randomBytes } from 'node:crypto'
import { fixtures } from '../lib/testing/kit.js'

export const ATTACK_SECRET = 'attack-run-secret'

export function validDelivery (n: number): { headers: Record<string, string>, body: string } {
  const sample = fixtures.retab['extraction.completed']
  const body = JSON.stringify({ ...sample, completion: { ...sample.completion, id: `chatcmpl-attack-${n}` } })
  return { headers: { 'content-type': 'application/json', 'retab-signature': hex(ATTACK_SECRET, body) }, body }
}

/** A signature header that looks right and matches nothing: it passes every check the headers allow. */
export function forgedSignature (): string {
  return randomBytes(32).toString('hex')
}

function hex (secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}
