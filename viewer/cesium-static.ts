/** What the viewer's and the screen's Vite builds share: the prebuilt Cesium bundle and its runtime files. */
import { cpSync } from 'node:fs'
import path from 'node:path'
import type { Plugin } from 'vite'

export const CESIUM_BUILD = path.resolve(import.meta.dirname, '../node_modules/cesium/Build/Cesium')
/** Cesium's runtime files (web workers, textures, third-party wasm, widget CSS), served next to the bundle. */
const CESIUM_STATIC = ['Workers', 'Assets', 'ThirdParty', 'Widgets']

/**
 * Copies Cesium's static directories into `<outDir>/cesium/` (CESIUM_BASE_URL is `<base>cesium/`): each page is
 * built and served on its own, so each carries its copy.
 */
export function cesiumStatic(): Plugin {
  let outDir = ''
  return {
    name: 'citycheck-cesium-static',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir)
    },
    writeBundle() {
      for (const dir of CESIUM_STATIC) {
        cpSync(path.join(CESIUM_BUILD, dir), path.join(outDir, 'cesium', dir), { recursive: true })
      }
    },
  }
}
