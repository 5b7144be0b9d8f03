import type { ApiRoute } from './routes.js'

/** Every JSON API route; each feature adds its list here. */
export const apiRoutes: readonly ApiRoute[] = []
