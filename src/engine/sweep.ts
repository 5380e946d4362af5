// When the engine looks for idle connections: every SWEEP_INTERVAL seconds of capture
// time, after the packet that crosses it. Apart from the engine so that the `--jobs`
// workers, each seeing every packet's time but only some packets, sweep where one engine
// would.

/** How often (capture seconds) idle connections are looked for. */
export const SWEEP_INTERVAL = 5;

/** Fed every packet's time in capture order, it says after which packets to sweep, and at what time. */
export class SweepClock {
  private now = 0;
  private last = 0;
  /** After a packet at `time`: the time to sweep at, or -1. */
  after(time: number): number {
    if (time > this.now) this.now = time;
    if (this.now - this.last < SWEEP_INTERVAL) return -1;
    this.last = this.now;
    return this.now;
  }
}

