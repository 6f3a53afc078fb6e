// Shared by the tidewire command's tests.

/** An Output that keeps what is written to it. */
export function sink(): { write(t: string): void; text: string } {
  return {
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}
