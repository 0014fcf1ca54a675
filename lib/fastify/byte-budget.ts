/**
 * The bytes of request bodies held in memory at once, shared by every webhook route of one server:
 * past the limit a new body is refused (503, retry later) instead of the process growing without bound.
 *
 * A part of it (`reserve`) is kept for small bodies. Real deliveries are small (a few KiB), and a flood of
 * large bodies with forged but well-formed signatures cannot be told from them before it is read: without
 * the reserve such a flood holds the whole budget and every real delivery gets 503 until it ends.
 */
export class ByteBudget {
  /** bytes held now */
  inUse = 0

  constructor (
    /** the most bytes held at once */
    public limit: number
  ) {}

  /** Bytes only small bodies may take: an eighth of the limit, at most 16 MiB. */
  get reserve (): number {
    return Math.min(Math.floor(this.limit / 8), RESERVE_MAX)
  }

  /**
   * Takes `bytes` for a body that then holds `body` bytes in all, if they fit; else takes nothing and answers false.
   */
  take (bytes: number, body: number): boolean {
    const room = body <= SMALL_BODY ? this.limit : this.limit - this.reserve
    if (this.inUse + bytes > room) return false
    this.inUse += bytes
    return true
  }

  release (bytes: number): void {
    this.inUse -= bytes
  }
}

/** The largest body that may use the reserve. */
export const SMALL_BODY = 64 * 1024
const RESERVE_MAX = 16 * 1024 * 1024
