import { UnrecoverableError } from 'bullmq'

/** A raster or an option a height import cannot use; retrying would not help, the message says what to fix. */
export class HeightsInputError extends UnrecoverableError {
  override name = 'HeightsInputError'
}
