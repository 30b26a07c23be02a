/** Bits of the sandboxes' command lines. */

/** A numeric option, or undefined when it was not given (the sandbox's default applies). */
export const optionalNumber = (value: string | undefined) =>
  value === undefined ? undefined : Number(value);

/** Ctrl-C or SIGTERM closes the sandbox, then exits. */
export function closeOnSignals(sandbox: { close(): Promise<void> }): void {
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
