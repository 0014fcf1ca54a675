/**
 * The bytes of request bodies held in memory at once, shared by every webhook route of one server:
 * past the limit a new body is refused (503, retry later) instead of the process growing without bound.
 */
export class ByteBudget {
  /** bytes held now */
  inUse = 0

  constructor (
    /** the most bytes held at once */
    public limit: number
  ) {}

  /** Whether `bytes` more fit now. */
  fits (bytes: number): boolean {
    return this.inUse + bytes <= this.limit
  }

  /** Takes `bytes` if they fit, else takes nothing and answers false. */
  take (bytes: number): boolean {
    if (!this.fits(bytes)) return false
    this.inUse += bytes
    return true
  }

  release (bytes: number): void {
    this.inUse -= bytes
  }
}
