import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';
import type { TrackerConfig } from 'src/config/tracker.config';
import { PinoLogger } from 'src/logging/pino-logger';

const NEST_LEVELS: Record<TrackerConfig['log']['level'], LogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** JSON lines through pino in production (LOG_FORMAT=json), Nest's readable console otherwise. */
export function createLogger({ log }: TrackerConfig): LoggerService {
  return log.format === 'json' ? new PinoLogger(log.level) : new ConsoleLogger({ logLevels: NEST_LEVELS[log.level] });
}
