// Budgeted write turns (docs/server.md §4.1). A fan-out queues one frame on every subscriber's
// outbox; writing them all at once is one writev per socket (on loopback each also runs the
// receiver's TCP path), and 1,000 of those held the event loop for 50–150 ms in the soak. The
// outboxes ask here for a turn instead, and turns run in the check phase for at most `budgetMs`
// per event-loop iteration: timers, reads and write completions get the loop between slices.
// Order per socket is kept because the outbox's queues are FIFO; only the moment of writing moves.

export type Turn = () => void;

/** The slice of one event-loop iteration that write turns may take, in ms. */
export const WRITE_TURN_BUDGET_MS = 4;

export class WriteTurns {
  private readonly budgetMs: number;
  private readonly now: () => number;
  private turns: (Turn | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  /** Loop iterations that ran turns, and how many of them stopped at the budget (metrics, tests). */
  slices = 0;
  slicesCut = 0;
  /** Milliseconds spent running turns since this queue was made. */
  spentMs = 0;

  constructor(budgetMs = WRITE_TURN_BUDGET_MS, now: () => number = () => performance.now()) {
    this.budgetMs = budgetMs;
    this.now = now;
  }

  /** Runs `turn` in a coming slice. A caller asks once per pending pump (Outbox keeps a flag). */
  readonly add = (turn: Turn): void => {
    this.turns.push(turn);
    this.arm();
  };

  get pending(): number {
    return this.turns.length - this.head;
  }

  private arm(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate from inside a check-phase callback runs in the next iteration, after timers
    // and I/O: that is what makes a cut slice give the loop back.
    setImmediate(this.runSlice);
  }

  private readonly runSlice = (): void => {
    this.scheduled = false;
    this.slices++;
    const start = this.now();
    const end = start + this.budgetMs;
    try {
      // Turns added while this slice runs (a pump that frees a window) join the end of the line.
      while (this.head < this.turns.length) {
        const turn = this.turns[this.head]!;
        this.turns[this.head++] = undefined;
        turn();
        if (this.head < this.turns.length && this.now() >= end) {
          this.slicesCut++;
          break;
        }
      }
    } finally {
      this.spentMs += this.now() - start;
      if (this.head === this.turns.length) {
        this.turns.length = 0;
        this.head = 0;
      } else {
        if (this.head > 1024) {
          this.turns = this.turns.slice(this.head);
          this.head = 0;
        }
        this.arm();
      }
    }
  };
}
