/** Why an import stops before it writes anything; the message is shown to the user as is. */
export class ImportError extends Error {
  override name = 'ImportError'
}

/** An input file that cannot be read at all (missing, not JSON, not valid CSV). */
export class ImportFileError extends Error {
  override name = 'ImportFileError'
}
