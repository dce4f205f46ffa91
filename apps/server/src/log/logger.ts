export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
export type LogFormat = 'pretty' | 'json'
export type LogFields = Record<string, unknown>

export interface Logger {
  readonly level: LogLevel
  child(scope: string): Logger
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

export interface LoggerOptions {
  level: LogLevel
  format: LogFormat
  /** Where lines go; defaults to process.stdout / process.stderr (warn and error). */
  write?: (line: string, level: Exclude<LogLevel, 'silent'>) => void
  /** Colour the level in pretty lines; defaults to `shouldColor()` (a terminal, NO_COLOR unset). */
  color?: boolean
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }
const COLOR: Record<Exclude<LogLevel, 'silent'>, string> = {
  debug: '\u001b[90m',
  info: '\u001b[36m',
  warn: '\u001b[33m',
  error: '\u001b[31m',
}

const defaultWrite = (line: string, level: Exclude<LogLevel, 'silent'>): void => {
  const stream = level === 'warn' || level === 'error' ? process.stderr : process.stdout
  stream.write(`${line}\n`)
}

/**
 * Colour only for a person at a terminal: stdout is a TTY and NO_COLOR (https://no-color.org) is unset or empty.
 * A log redirected to a file or a pipe gets plain text.
 */
export const shouldColor = (
  stream: { isTTY?: boolean } = process.stdout,
  env: Record<string, string | undefined> = process.env,
): boolean => stream.isTTY === true && !env.NO_COLOR

/** Errors do not survive JSON.stringify; turn them into plain objects. */
const normalize = (fields: LogFields): LogFields => {
  const out: LogFields = {}
  for (const [key, value] of Object.entries(fields)) {
    out[key] =
      value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value
  }
  return out
}

const prettyValue = (value: unknown): string => {
  if (value instanceof Error) return value.stack ?? value.message
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

/** A small scoped logger: readable lines in development, one JSON object per line in production. */
export const createLogger = (options: LoggerOptions, scope = 'rapport'): Logger => {
  const write = options.write ?? defaultWrite
  const threshold = RANK[options.level]
  const color = options.color ?? shouldColor()
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
    if (RANK[level] < threshold) return
    const time = new Date().toISOString()
    if (options.format === 'json') {
      write(JSON.stringify({ time, level, scope, msg, ...(fields ? normalize(fields) : {}) }), level)
      return
    }
    const extra = fields
      ? Object.entries(fields)
          .map(([key, value]) => `${key}=${prettyValue(value)}`)
          .join(' ')
      : ''
    const label = color ? `${COLOR[level]}${level.padEnd(5)}\u001b[0m` : level.padEnd(5)
    write(`${time.slice(11, 23)} ${label} [${scope}] ${msg}${extra ? ` ${extra}` : ''}`, level)
  }
  return {
    level: options.level,
    child: (child) => createLogger(options, `${scope}:${child}`),
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  }
}

/** A logger that drops everything (tests). */
export const silentLogger = (): Logger => createLogger({ level: 'silent', format: 'json' })
