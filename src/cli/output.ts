/** The CLI's output layer: the only place in `src/` that writes to the terminal directly. */
export type Output = {
  /** Writes a line (or a block of lines) to standard output. */
  line(text: string): void;
  /** Writes raw text to standard output, with no newline added. */
  raw(text: string | Uint8Array): void;
  /** Writes a line to standard error. */
  error(text: string): void;
  /** Whether standard output is a terminal (progress bars, colours). */
  readonly isTty: boolean;
};

/** The process's real output streams. */
export function createProcessOutput(): Output {
  return {
    line: (text) => {
      process.stdout.write(`${text}\n`);
    },
    raw: (text) => {
      process.stdout.write(text);
    },
    error: (text) => {
      process.stderr.write(`${text}\n`);
    },
    isTty: Boolean(process.stdout.isTTY),
  };
}
