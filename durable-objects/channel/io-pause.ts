// A pause until the runtime has read its sockets. workerd's event loop reads new network input
// only when nothing else is queued, and work that waits only on in-process services (the local
// D1, other objects in the same process) keeps that queue full. A timer fires only after the
// runtime has looked at its I/O, so waiting for a zero timer lets deliveries that arrived
// meanwhile in, and lets work resumed in the same round of the loop meet (the group commit).

/** Resolves once the runtime has looked at its I/O. */
export function ioPause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * One `ioPause` shared by every caller that waits before it ends: they all resume in the same
 * round of the loop, so the storage writes they make next share one implicit transaction, and one
 * commit (an fsync each, in the local runtime), instead of one each.
 */
export class SharedPause {
  private pending: Promise<void> | null = null;

  wait(): Promise<void> {
    this.pending ??= ioPause().then(() => {
      this.pending = null;
    });
    return this.pending;
  }
}
