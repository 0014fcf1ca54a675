/**
 * The signed content of a scheme: a template such as `{id}.{timestamp}.{body}`, read once into segments, then fed to
 * the HMAC (or the verifier) part by part per request: the text between two bodies is one string, the body its own
 * bytes, never a concatenated copy.
 */
import type { Hash, Hmac } from 'node:crypto'

export type Part = 'id' | 'timestamp' | 'body' | 'url' | 'form'
const PARTS: readonly string[] = ['id', 'timestamp', 'body', 'url', 'form']

/** One delivery's values of the parts. */
export interface PartValues {
  id: string | undefined
  stamp: string | undefined
  /** absent where the content has no `{url}` */
  url?: string | undefined
  /** absent where the content has no `{form}` */
  form?: string | undefined
  body: Buffer
}

/** Literal text, or a part that is text (`{id}`, `{timestamp}`, `{url}`, `{form}`). */
type TextPiece = string | { part: Exclude<Part, 'body'> }

/** What is signed: runs of text pieces, each fed as one string, with the body between them. */
export interface SignedContent {
  readonly template: string
  /** `'body'` or a run of text pieces. */
  readonly segments: ReadonlyArray<'body' | readonly TextPiece[]>
  readonly uses: ReadonlySet<Part>
}

/** Reads a template; throws a TypeError naming a part it does not know. */
export function signedContent (template: string): SignedContent {
  const segments: Array<'body' | TextPiece[]> = []
  const uses = new Set<Part>()
  let run: TextPiece[] = []
  const token = /\{([^{}]*)\}/g
  let last = 0
  for (let match = token.exec(template); match !== null; match = token.exec(template)) {
    const name = match[1]!
    if (!PARTS.includes(name)) {
      throw new TypeError(`signed content "${template}": unknown part {${name}} (parts: {${PARTS.join('}, {')}})`)
    }
    literal(template, template.slice(last, match.index), run)
    last = token.lastIndex
    const part = name as Part
    uses.add(part)
    if (part === 'body') {
      if (run.length > 0) segments.push(run)
      segments.push('body')
      run = []
    } else {
      run.push({ part })
    }
  }
  literal(template, template.slice(last), run)
  if (run.length > 0) segments.push(run)
  if (segments.length === 0) throw new TypeError('signed content is empty')
  return { template, segments, uses }
}

function literal (template: string, text: string, run: TextPiece[]): void {
  if (/[{}]/.test(text)) throw new TypeError(`signed content "${template}": a brace that opens or closes no part`)
  if (text.length > 0) run.push(text)
}

function textOf (run: readonly TextPiece[], values: PartValues): string {
  let text = ''
  for (const piece of run) {
    if (typeof piece === 'string') text += piece
    else if (piece.part === 'id') text += values.id!
    else if (piece.part === 'timestamp') text += values.stamp!
    else if (piece.part === 'url') text += values.url!
    else text += values.form!
  }
  return text
}

/** Feeds the signed content to an HMAC or a hash, and gives it back. */
export function feed<H extends Hmac | Hash> (hash: H, content: SignedContent, values: PartValues): H {
  for (const segment of content.segments) {
    if (segment === 'body') hash.update(values.body)
    else hash.update(textOf(segment, values))
  }
  return hash
}

/**
 * Whether the content can be fed while its body is still arriving: the body comes once, and nothing signed is read
 * from it (`{form}`).
 */
export function streamable (content: SignedContent): boolean {
  return content.segments.filter(segment => segment === 'body').length === 1 && !content.uses.has('form')
}

/** Of a streamable content: feeds what comes before the body, and gives the hash back. */
export function feedBeforeBody<H extends Hmac | Hash> (hash: H, content: SignedContent, values: PartValues): H {
  for (const segment of content.segments) {
    if (segment === 'body') break
    hash.update(textOf(segment, values))
  }
  return hash
}

/** Of a streamable content: feeds what comes after the body, and gives the hash back. */
export function feedAfterBody<H extends Hmac | Hash> (hash: H, content: SignedContent, values: PartValues): H {
  const { segments } = content
  for (let at = segments.indexOf('body') + 1; at < segments.length; at++) {
    hash.update(textOf(segments[at] as readonly TextPiece[], values))
  }
  return hash
}

/** The signed content as one Buffer: for ed25519, which signs a whole message and cannot be fed. */
export function signedBytes (content: SignedContent, values: PartValues): Buffer {
  const { segments } = content
  if (segments.length === 1 && segments[0] === 'body') return values.body
  return Buffer.concat(segments.map(segment => segment === 'body' ? values.body : Buffer.from(textOf(segment, values))))
}

/** Fatal: a form that is not UTF-8 has no text to sign. */
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * `{form}`: the body read as a form, each name followed by its value, names in UTF-16 order; a name sent more than
 * once, followed by each of its distinct values, sorted (Twilio's rule). Undefined when the body is not UTF-8.
 */
export function formText (body: Buffer): string | undefined {
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    return undefined
  }
  const fields = new Map<string, Set<string>>()
  for (const [name, value] of new URLSearchParams(text)) {
    const values = fields.get(name)
    if (values === undefined) fields.set(name, new Set([value]))
    else values.add(value)
  }
  let signed = ''
  for (const name of [...fields.keys()].sort()) {
    for (const value of [...fields.get(name)!].sort()) signed += name + value
  }
  return signed
}
