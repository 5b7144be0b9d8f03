#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { ConfigError, parseServeConfig } from '../config/config.js'
import { ApiCallError } from './client.js'
import { auditCommand } from './commands/audit.js'
import { flowsCommand } from './commands/flows.js'
import { peeringCommand } from './commands/peering.js'
import { planCommand } from './commands/plan.js'
import { reachCommand } from './commands/reach.js'
import { trafficCommand } from './commands/traffic.js'
import { vpcCommand } from './commands/vpc.js'

const program = new Command()
  .name('vpcpeer')
  .description('VPC peering on one machine: an AWS-compatible EC2 API with a modelled data plane')
  .version('0.1.0')
  .showHelpAfterError()
  // Usage errors (a bad flag value, an unknown option) exit 2 like configuration errors,
  // rather than commander's 1; commander has already printed the message.
  .exitOverride()
  // Options belong to the command they follow, so `reach` and `reach matrix` may share names.
  .enablePositionalOptions()

const port = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('expected a port number, 0 to 65535')
  return Number(value)
}

program
  .command('serve')
  .description('start the API server (EC2, STS and IAM Query endpoints on one port)')
  .addOption(new Option('--host <host>', 'address to listen on').env('VPCPEER_HOST').default('127.0.0.1'))
  .addOption(
    new Option('--port <port>', 'port to listen on (0 picks a free one)')
      .env('VPCPEER_PORT')
      .argParser(port)
      .default(4566),
  )
  .addOption(
    new Option('--data-dir <dir>', 'where the SQLite database lives')
      .env('VPCPEER_DATA_DIR')
      .default('.vpcpeer'),
  )
  .addOption(
    new Option('--database-url <url>', 'use PostgreSQL instead of SQLite (postgres://…)').env(
      'VPCPEER_DATABASE_URL',
    ),
  )
  .addOption(
    new Option('--ephemeral', 'keep state in memory only; nothing survives a restart').env(
      'VPCPEER_EPHEMERAL',
    ),
  )
  .addOption(
    new Option('--auth <mode>', 'open: trust the key id in the signature; strict: verify every signature')
      .env('VPCPEER_AUTH')
      .choices(['open', 'strict'])
      .default('open'),
  )
  .addOption(
    new Option('--credentials <file>', 'JSON file of keys for --auth strict').env('VPCPEER_CREDENTIALS'),
  )
  .addOption(
    new Option('--region <region>', 'region for unsigned requests in open mode')
      .env('VPCPEER_REGION')
      .default('us-east-1'),
  )
  .addOption(
    new Option('--log-level <level>', 'log level')
      .env('VPCPEER_LOG_LEVEL')
      .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  )
  .addOption(
    new Option(
      '--peering-transition-seconds <s>',
      'how long initiating-request, provisioning and deleting last',
    )
      .env('VPCPEER_PEERING_TRANSITION_SECONDS')
      .default(0),
  )
  .addOption(
    new Option('--peering-active-limit <n>', 'active peering connections per VPC (AWS: 50, at most 125)')
      .env('VPCPEER_PEERING_ACTIVE_LIMIT')
      .default(50),
  )
  .addOption(
    new Option('--peering-outstanding-limit <n>', 'pending peering requests per account (AWS: 25)')
      .env('VPCPEER_PEERING_OUTSTANDING_LIMIT')
      .default(25),
  )
  .addOption(
    new Option(
      '--flow-log-dir <dir>',
      'where S3-destination flow logs write files (default <data-dir>/flow-logs)',
    ).env('VPCPEER_FLOW_LOG_DIR'),
  )
  .addOption(
    new Option('--body-limit <bytes>', 'largest request body accepted (RequestEntityTooLarge above)')
      .env('VPCPEER_BODY_LIMIT')
      .default(10 * 1024 * 1024),
  )
  .addOption(
    new Option('--request-timeout <s>', 'seconds a request (headers and body) may take to arrive')
      .env('VPCPEER_REQUEST_TIMEOUT')
      .default(30),
  )
  .addOption(
    new Option('--keep-alive-timeout <s>', 'seconds an idle keep-alive connection stays open')
      .env('VPCPEER_KEEP_ALIVE_TIMEOUT')
      .default(5),
  )
  .addOption(
    new Option('--max-connections <n>', 'connections open at once; more are closed on arrival')
      .env('VPCPEER_MAX_CONNECTIONS')
      .default(10_000),
  )
  .addOption(
    new Option('--max-page-size <n>', 'items per Describe page when the caller sets no MaxResults')
      .env('VPCPEER_MAX_PAGE_SIZE')
      .default(1000),
  )
  .action(async (options: Record<string, unknown>) => {
    const config = parseServeConfig({
      ...options,
      requestTimeoutSeconds: options.requestTimeout,
      keepAliveTimeoutSeconds: options.keepAliveTimeout,
      ephemeral: options.ephemeral === true || options.ephemeral === 'true',
    })
    // Loaded here, not at the top: the client commands need none of the server's modules.
    const { startServer } = await import('../server/start.js')
    const server = await startServer(config)
    const where = config.databaseUrl
      ? 'PostgreSQL'
      : config.ephemeral
        ? 'memory (ephemeral)'
        : `SQLite in ${config.dataDir}`
    server.app.log.info(`vpcpeer listening on ${server.url} (state: ${where}, auth: ${config.auth})`)
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      server.app.log.info(`${signal}: shutting down`)
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error)
          process.exit(1)
        },
      )
    }
    process.on('SIGTERM', () => stop('SIGTERM'))
    process.on('SIGINT', () => stop('SIGINT'))
  })

program.addCommand(vpcCommand())
program.addCommand(peeringCommand())
program.addCommand(reachCommand())
program.addCommand(trafficCommand())
program.addCommand(flowsCommand())
program.addCommand(planCommand())
program.addCommand(auditCommand())

/**
 * Usage errors anywhere in the tree (a missing argument, an unknown or bad option) throw to the
 * handler below, which exits 2, instead of commander exiting 1 itself: commands added whole do
 * not inherit the program's settings.
 */
const reportUsageErrors = (command: Command): void => {
  command.exitOverride().showHelpAfterError()
  for (const sub of command.commands) reportUsageErrors(sub)
}
reportUsageErrors(program)

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ApiCallError) {
    console.error(`vpcpeer: ${error.message}`)
    process.exit(1)
  }
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2)
  if (error instanceof ConfigError) {
    console.error(`vpcpeer: ${error.message}`)
    process.exit(2)
  }
  console.error(`vpcpeer: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
