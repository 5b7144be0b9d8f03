import { type Command, Option } from 'commander'
import type { Connection } from '../client.js'
import type { OutputFormat } from '../output.js'

export interface ClientOptions {
  readonly endpoint: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: string
  readonly output: OutputFormat
}

/** The options every client command takes: which server, which account and region, which format. */
export function withConnection(command: Command): Command {
  return command
    .addOption(
      new Option('--endpoint <url>', 'vpcpeer server URL')
        .env('VPCPEER_ENDPOINT')
        .default('http://127.0.0.1:4566'),
    )
    .addOption(
      new Option('--access-key-id <key>', 'access key id (a 12-digit key acts as that account)')
        .env('AWS_ACCESS_KEY_ID')
        .default('000000000000'),
    )
    .addOption(
      new Option('--secret-access-key <secret>', 'secret key (checked only with --auth strict)')
        .env('AWS_SECRET_ACCESS_KEY')
        .default('vpcpeer'),
    )
    .addOption(
      new Option('--region <region>', 'region to act in')
        .env('AWS_REGION')
        .default(process.env.AWS_DEFAULT_REGION ?? 'us-east-1'),
    )
    .addOption(
      new Option('-o, --output <format>', 'table for people, json for scripts')
        .choices(['table', 'json'])
        .default('table'),
    )
}

export const connectionOf = (options: ClientOptions): Connection => ({
  endpoint: options.endpoint,
  accessKeyId: options.accessKeyId,
  secretAccessKey: options.secretAccessKey,
  region: options.region,
})
