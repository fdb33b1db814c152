import { type Logger, pino } from 'pino'
import type { LogLevel } from '../config.ts'

export type { Logger } from 'pino'

/** JSON lines on stdout; pino writes them without building strings per field, so one line a request is cheap. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'citycheck-api' } })
}

/**
 * For servers started without a logger (tests, benchmarks): warnings and errors only, on stderr through
 * `console.error`, looked up on every line so that a test can watch it.
 */
export const fallbackLogger: Logger = pino(
  { level: 'warn' },
  { write: (line) => console.error(line.trimEnd()) },
)
