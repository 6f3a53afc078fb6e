export interface SuiteContext {
  /** Smaller sizes and shorter runs (used by the bench's own smoke test). */
  quick: boolean;
  /** The command line after the suite's name (suites with options of their own parse it, e.g. soak's --minutes). */
  args: readonly string[];
  log(message: string): void;
}

export interface Suite {
  run(ctx: SuiteContext): Promise<Record<string, unknown>>;
  format?(result: Record<string, unknown>): string;
}
