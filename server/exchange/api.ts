/**
 * `POST /api/exchange/packages` (ADR 0017): a lower install (a city) sends its package with a token of this install
 * (the province's) scoped to the city; the package is imported only if every row lies inside that scope.
 */
import type http from 'node:http'
import {
  allowMethods,
  answeringRefusals,
  HttpError,
  readBody,
  requestContext,
  sendJson,
} from '../api/request.ts'
import type { AppContext } from '../app-context.ts'
import { authorize } from '../auth/permissions.ts'
import type { TokenVerifier } from '../auth/verifier.ts'
import { PackageRefused } from './format.ts'
import { importPackage } from './import.ts'

export const EXCHANGE_PACKAGES_PATH = '/api/exchange/packages'

/** A city's check with its problems is a few MB; the limit leaves room for a province's biggest city. */
const MAX_PACKAGE_BYTES = 512 * 1024 * 1024

export async function serveExchangePackages(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  requestId: string,
): Promise<void> {
  await answeringRefusals(res, async () => {
    allowMethods(req, res, ['POST'])
    const context = await requestContext(app, verifier, req, requestId)
    authorize(context.identity, context.scope, 'exchange.import')
    if (context.scope.kind !== 'region') {
      throw new HttpError(403, '需要带行政区划的令牌', 'A token scoped to a region is needed')
    }
    const bytes = await readBody(req, MAX_PACKAGE_BYTES)
    try {
      const result = await importPackage(app.database, bytes, {
        importedBy: context.identity?.subject ?? 'unknown',
        role: context.identity?.role ?? null,
        regionPrefix: context.scope.prefix,
      })
      // The receipt the sender records as its acknowledgement.
      sendJson(res, result.alreadyImported ? 200 : 201, result)
    } catch (error) {
      if (error instanceof PackageRefused) throw new HttpError(400, error.zh, error.en)
      throw error
    }
  })
}
