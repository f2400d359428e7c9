/** An error the CLI reports as one message and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes the signal job can rely on. */
export const EXIT = {
  failure: 1,
  invalidInput: 2,
  alreadyExists: 3,
  notFound: 4,
} as const;
