import { ConfigError, loadConfig } from './config.ts'
import { createServer, type RapportServer } from './createServer.ts'
import { createLogger } from './log/logger.ts'
import { DEMO_EMAILS, DEMO_PASSWORD } from './seed/demoSeed.ts'
import { FormatError, migrateDataDir } from './storage/format.ts'
import { formatOf } from './storage/openDataDirStore.ts'

/** Prints the demo logins when this start seeded the demo workspace, or when it is still there from an earlier start. */
const printDemoLogins = (server: RapportServer, url: string): void => {
  const seeded = server.demoLogins
  const present = DEMO_EMAILS.filter((email) => server.meta.userByEmail(email))
  if (!seeded && present.length === 0) return
  const lines = seeded
    ? seeded.map((login) => `  ${login.email.padEnd(22)} ${login.password}   (${login.role})`)
    : present.map((email) => `  ${email.padEnd(22)} ${DEMO_PASSWORD}   (unless changed)`)
  console.log(
    `\n${seeded ? 'Seeded the demo workspace.' : 'Demo workspace'} Open ${url} and sign in as:\n${lines.join('\n')}\n` +
      'Use two windows with two users to see every change live.\n',
  )
}

/** The only entry point that reads the environment, listens and handles signals. */
const main = async (): Promise<void> => {
  // performance.now() counts from the process start: this much went to loading the server's modules.
  const loadedMs = Math.round(performance.now())
  const loadedCpu = process.cpuUsage()
  let config: Awaited<ReturnType<typeof loadConfig>>
  try {
    config = await loadConfig(process.env)
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error)
    process.exit(1)
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat })
  const configuredAt = performance.now()
  // Before any store opens: upgrade an older data directory (after a backup), refuse a newer one.
  try {
    await migrateDataDir(config.dataDir, { logger: logger.child('format'), target: formatOf(config.store) })
  } catch (error) {
    if (!(error instanceof FormatError)) throw error
    console.error(error.message)
    process.exit(1)
  }
  const migratedAt = performance.now()
  const server = await createServer({
    dataDir: config.dataDir,
    logger,
    secrets: { session: config.sessionSecret },
    webDist: config.webDist,
    debounceMs: config.debounceMs,
    fsync: config.fsync,
    seedDemo: config.seedDemo,
    store: config.store,
    index: config.index,
  })
  const builtAt = performance.now()
  const { url } = await server.listen(config.port, config.host)
  // Before the line below: a test (or a person) that reacts to it with a SIGTERM must reach the handler, not Node's
  // default action (exit without storing).
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    logger.info('shutting down, storing every dirty document', { signal })
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error })
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  // Tests of the child process read this line from stdout.
  console.log(`Rapport listening on ${url}`)
  printDemoLogins(server, url)
  logger.info('started', {
    dataDir: config.dataDir,
    store: config.store,
    index: config.index.kind,
    // Where the start went (ms): module loading, data-format check/migration, building the server, listening.
    startMs: {
      modules: loadedMs,
      modulesCpu: Math.round((loadedCpu.user + loadedCpu.system) / 1000),
      migrate: Math.round(migratedAt - configuredAt),
      server: Math.round(builtAt - migratedAt),
      listen: Math.round(performance.now() - builtAt),
      total: Math.round(performance.now()),
    },
    cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
  })
}

main().catch((error: unknown) => {
  console.error('Rapport failed to start:', error)
  process.exit(1)
})
