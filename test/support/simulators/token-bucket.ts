/** `capacity` tokens, refilled continuously at `perSecond`: how simulators model a rate limit. */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    readonly capacity: number,
    readonly perSecond: number,
    now: number,
  ) {
    this.#tokens = capacity;
    this.#updatedAt = now;
  }

  /** 0 when a token was taken; otherwise how long until one will be there, in ms. */
  take(now: number): number {
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return ((1 - this.#tokens) / this.perSecond) * 1000;
  }

  /** Whole tokens left, for X-RateLimit-Remaining. */
  remaining(now: number): number {
    this.#refill(now);
    return Math.floor(this.#tokens);
  }

  /** When the bucket will be full again, for X-RateLimit-Reset. */
  fullAt(now: number): number {
    this.#refill(now);
    return now + ((this.capacity - this.#tokens) / this.perSecond) * 1000;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#updatedAt) / 1000) * this.perSecond);
    this.#updatedAt = now;
  }
}
