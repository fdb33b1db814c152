/** The built viewer under `/viewer/`, built with Vite on first request when missing or older than its sources. */
import path from 'node:path'
import { PROJECT_ROOT } from '../config.ts'
import { builtPage } from './pages.ts'

export const VIEWER_ROOT = path.join(PROJECT_ROOT, 'viewer')
const viewer = builtPage('viewer', VIEWER_ROOT)
export const VIEWER_DIST = viewer.dist

export const serveViewer = viewer.serve
export const ensureViewerBuilt = viewer.ensureBuilt
