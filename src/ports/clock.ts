/** Where use cases get the time. The server's clock can be moved forward for tests. */
export interface Clock {
  now(): Date
}

export class AdjustableClock implements Clock {
  private offsetMs = 0

  now(): Date {
    return new Date(Date.now() + this.offsetMs)
  }

  /** Moves the clock forward (never back: expiry and visibility windows only run forward). */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError('the clock only moves forward, by a finite amount')
    this.offsetMs += ms
    return this.now()
  }

  get offset(): number {
    return this.offsetMs
  }
}
