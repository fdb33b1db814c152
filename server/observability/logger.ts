import { type Logger, pino } from 'pino'
import type { LogLevel } from '../config.ts'

export type { Logger } from 'pino'

/** JSON lines on stdout; pino writes them without building strings per field, so one line a request is cheap. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'citycheck-api' } })
}

/** A logger that writes nothing: the default for servers started by tests and benchmarks. */
export const silentLogger: Logger = pino({ level: 'silent' })
