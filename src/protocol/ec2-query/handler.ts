import type { Caller, Services } from '../../app/context.js'
import { runUseCase } from '../../app/run.js'
import { type ApiError, errors, isApiError } from '../../domain/errors.js'
import { dryRunParam } from './action.js'
import { ec2Actions } from './actions/index.js'
import { decodeMembers, decodeTree } from './params.js'
import { document, escapeXml, XML_DECLARATION } from './xml.js'

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/'

export interface QueryResponse {
  readonly status: number
  readonly body: string
  /** The action name for logs and metrics (`unknown` when there was none). */
  readonly action: string
  readonly errorCode?: string
}

export function ec2Error(error: ApiError, requestId: string, action: string): QueryResponse {
  const body =
    `${XML_DECLARATION}<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  return { status: error.status, body, action, errorCode: error.code }
}

/** Runs one EC2 Query request for an authenticated caller. Never throws. */
export async function handleEc2(
  params: URLSearchParams,
  caller: Caller,
  services: Services,
  requestId: string,
  onUnexpected: (error: unknown) => void,
): Promise<QueryResponse> {
  const actionName = params.get('Action') ?? ''
  try {
    if (!actionName) throw errors.missingAction()
    const action = Object.hasOwn(ec2Actions, actionName) ? ec2Actions[actionName] : undefined
    if (!action) throw errors.invalidAction(actionName)
    const { DryRun, ...input } = decodeMembers({ ...dryRunParam, ...action.params }, decodeTree(params))
    if (DryRun) throw errors.dryRun()
    const output = await runUseCase(services, caller, {
      name: actionName,
      mutates: action.mutates,
      run: (ctx) => action.run(ctx, input),
    })
    const body = Object.keys(output).length === 0 ? { return: true } : output
    const xml = document(`${actionName}Response`, ` xmlns="${EC2_NAMESPACE}"`, { requestId, ...body })
    return { status: 200, body: xml, action: actionName }
  } catch (error) {
    if (isApiError(error)) return ec2Error(error, requestId, actionName || 'unknown')
    onUnexpected(error)
    return ec2Error(errors.internal(), requestId, actionName || 'unknown')
  }
}
