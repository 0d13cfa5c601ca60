// Structured logging (pino); every module takes a child of the root logger.
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'subflow' } });
}
