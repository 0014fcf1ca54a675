/**
 * The asymmetric blocks: the sender signs with a private key, the receiver holds the public one as its `secret`.
 * ed25519 (Discord) and ECDSA P-256 with SHA-256 (SendGrid), from node:crypto.
 */
import {
  createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject
} from 'node:crypto'
import { canonicalBase64 } from './base64.js'
import { ed25519PublicKey, ed25519SecretKey, rawEd25519KeyPair } from './ed25519.js'
import type { SignatureScheme } from './scheme.js'
import type { Encoding, MetaOfShape, PublicKeyFormat, SchemeShape } from './shape.js'
import { shapedScheme, type Content } from './shaped-scheme.js'
import { signedBytes } from './signed-content.js'

export interface Ed25519Options extends SchemeShape {
  /** Of the signature: default `hex`. */
  encoding?: Encoding | undefined
  /** How the public key (the receiver's `secret`) is written. Default: its 32 bytes in hex. */
  publicKey?: PublicKeyFormat | undefined
}

export interface EcdsaOptions extends SchemeShape {
  /** Of the DER signature: default `base64`. */
  encoding?: Encoding | undefined
}

const HEX = /^(?:[0-9a-f]{2})+$/
/** A DER ECDSA P-256 signature is at most 72 bytes; a little room, and no more work than that. */
const MAX_DER_SIGNATURE = 80

/** The bytes of a signature as sent, or null when it is not `encoding` (hex lowercase, base64 canonical). */
function signatureBytes (text: string, encoding: Encoding, maxBytes: number): Buffer | null {
  if (text.length > maxBytes * 2) return null
  if (encoding === 'hex') return HEX.test(text) ? Buffer.from(text, 'hex') : null
  return canonicalBase64(text)
}

/** Whether some key verifies some received signature, `check` being one verification. */
function anyVerifies (
  keys: readonly KeyObject[],
  received: readonly string[],
  content: Content,
  encoding: Encoding,
  maxBytes: number,
  check: (message: Buffer, key: KeyObject, signature: Buffer) => boolean
): boolean {
  const signatures: Buffer[] = []
  for (const text of received) {
    const bytes = signatureBytes(text, encoding, maxBytes)
    if (bytes !== null) signatures.push(bytes)
  }
  if (signatures.length === 0) return false
  const message = signedBytes(content.signed, content)
  for (const key of keys) {
    for (const signature of signatures) if (check(message, key, signature)) return true
  }
  return false
}

function checkEncoding (encoding: unknown, option: string): Encoding {
  if (encoding !== 'hex' && encoding !== 'base64') throw new TypeError(`option "${option}" must be "hex" or "base64"`)
  return encoding
}

/** A key as written: its prefix, then `encoding`. */
function keyBytes (value: string, format: Required<PublicKeyFormat>): Buffer {
  const { prefix = '', encoding } = format
  if (!value.startsWith(prefix)) throw new TypeError(`must start with "${prefix}"`)
  const text = value.slice(prefix.length)
  const bytes = encoding === 'hex'
    ? (/^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : null)
    : canonicalBase64(text)
  if (bytes === null) throw new TypeError(`must be ${prefix === '' ? '' : `"${prefix}" followed by `}${encoding}`)
  return bytes
}

function ed25519Verifies (message: Buffer, key: KeyObject, signature: Buffer): boolean {
  return signature.length === 64 && verify(null, message, key, signature)
}

/**
 * ed25519 signatures of the signed content; the receiver's `secret` is the sender's public key. Discord's:
 * `ed25519({ signed: '{timestamp}{body}', signature: { header: 'x-signature-ed25519' }, timestamp: { header:
 * 'x-signature-timestamp' } })`.
 */
export function ed25519<const O extends Ed25519Options> (options: O): SignatureScheme<KeyObject, MetaOfShape<O>>
export function ed25519 (options: Ed25519Options): SignatureScheme<KeyObject, object> {
  const encoding = checkEncoding(options?.encoding ?? 'hex', 'encoding')
  const format = {
    encoding: checkEncoding(options?.publicKey?.encoding ?? 'hex', 'publicKey.encoding'),
    prefix: options?.publicKey?.prefix ?? ''
  }
  const write = (raw: Buffer): string => format.prefix + raw.toString(format.encoding)
  const pair = (): { secretKey: string, publicKey: string } => {
    const { seed, publicKey } = rawEd25519KeyPair()
    return { secretKey: write(seed), publicKey: write(publicKey) }
  }
  return shapedScheme<KeyObject>(options, {
    name: 'ed25519',
    title: 'Ed25519',
    secretFormat: `the sender's ed25519 public key: ${format.prefix === '' ? '' : `"${format.prefix}" followed by `}` +
      `its 32 bytes in ${format.encoding}`,
    parseSecret: secret => ed25519PublicKey(keyBytes(secret, format)),
    // A public key whose secret key is thrown away: it verifies nothing anyone can sign.
    generateSecret: () => pair().publicKey,
    generateKeyPair: pair,
    claims: secret => format.prefix !== '' && secret.startsWith(format.prefix),
    matches: (keys, received, content) => anyVerifies(keys, received, content, encoding, 64, ed25519Verifies),
    sign: (secretKey, content) =>
      sign(null, signedBytes(content.signed, content), ed25519SecretKey(keyBytes(secretKey, format))).toString(encoding)
  })
}

const PEM = /^-----BEGIN ([A-Z ]+)-----([\s\S]*)-----END \1-----\s*$/

/** The DER of a key given as base64 of it, or as PEM. */
function derOf (value: string, label: string): Buffer {
  const pem = PEM.exec(value.trim())
  if (pem !== null && pem[1] !== label) throw new TypeError(`is a PEM "${pem[1]!}", not a "${label}"`)
  const der = canonicalBase64(pem === null ? value : pem[2]!.replace(/\s+/g, ''))
  if (der === null) throw new TypeError(`must be the base64 of a DER ${label.toLowerCase()} (or its PEM)`)
  return der
}

function p256 (make: () => KeyObject, what: string): KeyObject {
  let key: KeyObject
  try {
    key = make()
  } catch {
    throw new TypeError(`must be an ECDSA P-256 ${what}`)
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TypeError(`must be an ECDSA P-256 ${what}, not ${String(key.asymmetricKeyType)} key`)
  }
  return key
}

function ecdsaPublicKey (secret: string): KeyObject {
  const der = derOf(secret, 'PUBLIC KEY')
  return p256(() => createPublicKey({ key: der, format: 'der', type: 'spki' }), 'public key')
}

function ecdsaPrivateKey (secret: string): KeyObject {
  const der = derOf(secret, 'PRIVATE KEY')
  return p256(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), 'private key (PKCS #8)')
}

/** A DER that does not parse is no signature: verify gives false for it (Node 22 to 26), it does not throw. */
function ecdsaVerifies (message: Buffer, key: KeyObject, signature: Buffer): boolean {
  return verify('sha256', message, { key, dsaEncoding: 'der' }, signature)
}

function ecdsaPair (): { secretKey: string, publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return {
    secretKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64')
  }
}

/**
 * ECDSA P-256 with SHA-256 signatures (DER) of the signed content; the receiver's `secret` is the sender's public key,
 * base64 of its DER (SPKI), or PEM. SendGrid's: `ecdsa({ signed: '{timestamp}{body}', signature: { header:
 * 'x-twilio-email-event-webhook-signature' }, timestamp: { header: 'x-twilio-email-event-webhook-timestamp' } })`.
 */
export function ecdsa<const O extends EcdsaOptions> (options: O): SignatureScheme<KeyObject, MetaOfShape<O>>
export function ecdsa (options: EcdsaOptions): SignatureScheme<KeyObject, object> {
  const encoding = checkEncoding(options?.encoding ?? 'base64', 'encoding')
  return shapedScheme<KeyObject>(options, {
    name: 'ecdsa-p256',
    title: 'ECDSA P-256',
    secretFormat: 'the sender\'s ECDSA P-256 public key: base64 of its DER (SPKI), or PEM',
    parseSecret: ecdsaPublicKey,
    generateSecret: () => ecdsaPair().publicKey,
    generateKeyPair: ecdsaPair,
    claims: () => false,
    matches: (keys, received, content) =>
      anyVerifies(keys, received, content, encoding, MAX_DER_SIGNATURE, ecdsaVerifies),
    sign: (secretKey, content) =>
      sign('sha256', signedBytes(content.signed, content), { key: ecdsaPrivateKey(secretKey), dsaEncoding: 'der' })
        .toString(encoding)
  })
}
