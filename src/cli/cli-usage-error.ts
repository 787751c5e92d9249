// A command line the CLI refuses (bad flag value, unreadable file): reported in one line, exit code 2.

export class CliUsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliUsageError';
  }
}
