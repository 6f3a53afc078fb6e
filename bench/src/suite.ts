export interface SuiteContext {
  /** Smaller sizes and shorter runs (used by the bench's own smoke test). */
  quick: boolean;
  log(message: string): void;
}

export interface Suite {
  run(ctx: SuiteContext): Promise<Record<string, unknown>>;
  format?(result: Record<string, unknown>): string;
}
