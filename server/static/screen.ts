/**
 * The big screen under `/screen/` (docs/adr/0022), built with Vite on first request when missing or older than
 * its sources: its own directory and the viewer's, whose core and map modules it imports.
 */
import path from 'node:path'
import { PROJECT_ROOT } from '../config.ts'
import { builtPage } from './pages.ts'
import { VIEWER_ROOT } from './viewer.ts'

export const SCREEN_ROOT = path.join(PROJECT_ROOT, 'screen')
const screen = builtPage('screen', SCREEN_ROOT, [SCREEN_ROOT, VIEWER_ROOT])
export const SCREEN_DIST = screen.dist

export const serveScreen = screen.serve
export const ensureScreenBuilt = screen.ensureBuilt
