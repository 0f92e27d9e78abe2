// Keeps one noisy sender from slowing everyone: a pending or refused user hears the same notice at
// most once per NOTICE_INTERVAL_MS, and an approved user's messages pass a token bucket (a burst,
// then a steady pace) beyond which they are dropped with one polite "slow down".
// Kept in memory: an evicted object forgets the counts, which only ever errs towards answering.

/** The same notice (still pending, refused, slow down) is repeated at most this often per sender. */
export const NOTICE_INTERVAL_MS = 5 * 60_000;
/** Messages an approved user may send at once… */
export const BURST = 20;
/** …and then one more per this interval (30 a minute: faster than anyone types). */
export const REFILL_MS = 2_000;
/** Senders remembered at most; the oldest are forgotten first. */
const MAX_SENDERS = 10_000;

interface SenderState {
  tokens: number;
  refilledAt: number;
  notices: Map<string, number>;
}

export class SenderLimits {
  private readonly senders = new Map<string, SenderState>();

  /** True when this sender may be told `notice` now (and records that they were). */
  mayNotify(senderId: string, notice: string, now = Date.now()): boolean {
    const state = this.state(senderId, now);
    const last = state.notices.get(notice);
    if (last !== undefined && now - last < NOTICE_INTERVAL_MS) return false;
    state.notices.set(notice, now);
    return true;
  }

  /** Takes one message from the sender's bucket; false when they are over the pace. */
  take(senderId: string, now = Date.now()): boolean {
    const state = this.state(senderId, now);
    const refill = Math.floor((now - state.refilledAt) / REFILL_MS);
    if (refill > 0) {
      state.tokens = Math.min(BURST, state.tokens + refill);
      state.refilledAt += refill * REFILL_MS;
    }
    if (state.tokens === 0) return false;
    state.tokens -= 1;
    return true;
  }

  private state(senderId: string, now: number): SenderState {
    let state = this.senders.get(senderId);
    if (state) {
      // Re-inserted so the map's order is least recently seen first.
      this.senders.delete(senderId);
    } else {
      state = { tokens: BURST, refilledAt: now, notices: new Map() };
      if (this.senders.size >= MAX_SENDERS) this.senders.delete(this.senders.keys().next().value!);
    }
    this.senders.set(senderId, state);
    return state;
  }
}
