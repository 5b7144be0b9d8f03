import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { gzipSync } from 'node:zlib'
import { errors } from '../domain/errors.js'
import type { FlowLogSink } from '../ports/flow-log-sink.js'

/** S3-destination files under the flow-log directory, gzipped as AWS delivers them. */
export function directorySink(directory: string): FlowLogSink {
  const root = resolve(directory)
  return {
    async write(key, text) {
      const path = resolve(root, key)
      // The key's parts were checked when the flow log was created; this keeps every write inside.
      if (!path.startsWith(root + sep)) {
        throw errors.invalidParameterValue(`The log file key ${key} leaves the flow-log directory.`)
      }
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, gzipSync(text))
    },
  }
}
