/** Where use cases get the time. The server's clock can be moved forward for tests. */
export interface Clock {
  now(): Date
}

/**
 * The latest time the server clock may show: 9999-01-01T00:00:00Z. Dates reach year 275760, but
 * AWS's timestamps have four-digit years, and a year of headroom keeps every time computed from
 * the clock (a request's seven-day expiry, visibility windows) formattable the same way.
 */
export const LATEST_CLOCK_TIME = new Date(Date.UTC(9999, 0, 1))

export class AdjustableClock implements Clock {
  private offsetMs = 0

  now(): Date {
    return new Date(Date.now() + this.offsetMs)
  }

  /** How far the clock may still move forward, in milliseconds. */
  headroomMs(): number {
    return Math.max(0, LATEST_CLOCK_TIME.getTime() - (Date.now() + this.offsetMs))
  }

  /**
   * Moves the clock forward (never back: expiry and visibility windows only run forward), and
   * never past LATEST_CLOCK_TIME; a move it refuses changes nothing.
   */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError('the clock only moves forward, by a finite amount')
    if (ms > this.headroomMs())
      throw new RangeError(`the clock may not move past ${LATEST_CLOCK_TIME.toISOString()}`)
    this.offsetMs += ms
    return this.now()
  }

  get offset(): number {
    return this.offsetMs
  }
}
