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

/**
 * The process's real output streams. When the reader of standard output goes away (`odf log x |
 * head`), the process exits quietly with code 0, as git does, instead of crashing on `EPIPE`.
 */
export function createProcessOutput(): Output {
  if (process.stdout.listenerCount("error") === 0) {
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
  }
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
