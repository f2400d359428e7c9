/** A command-line flag the simulator refuses; the bin prints the message on one line and exits with `exitCode`. */
export class SimFlagError extends Error {
  /** 2: invalid input (usage errors), as many command-line tools use it. */
  static readonly EXIT_CODE = 2;
  readonly exitCode = SimFlagError.EXIT_CODE;

  constructor(message: string) {
    super(message);
    this.name = 'SimFlagError';
  }
}
