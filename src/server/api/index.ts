import { auditRoutes } from './audit.js'
import { consoleRoutes } from './console.js'
import { reachRoutes } from './reach.js'
import type { ApiRoute } from './routes.js'
import { trafficRoutes } from './traffic.js'

/** Every JSON API route; each feature adds its list here. */
export const apiRoutes: readonly ApiRoute[] = [
  ...consoleRoutes,
  ...trafficRoutes,
  ...reachRoutes,
  ...auditRoutes,
]
