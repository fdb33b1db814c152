/** Why an import stops before it writes anything; the message is shown to the user as is. */
export class ImportError extends Error {
  override name = 'ImportError'
}

/** An input file that cannot be read at all (missing, not JSON, not valid CSV). */
export class ImportFileError extends Error {
  override name = 'ImportFileError'
}

/** A feature left out of an import, with where it came from and why. */
export interface Rejection {
  file: string
  index: number
  sourceId: string | null
  reason: string
}

/**
 * Every feature was rejected: nothing is written and no dataset registered, so the corrected file can be
 * imported under the same name without `--replace`. Carries the rejections for the report.
 */
export class NothingImportedError extends ImportError {
  override name = 'NothingImportedError'

  constructor(readonly rejected: Rejection[]) {
    super(
      `全部 ${rejected.length} 个要素被拒绝，未写入任何数据 / all ${rejected.length} features were rejected, nothing was written`,
    )
  }
}
