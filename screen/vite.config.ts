import { cpSync } from 'node:fs'
import path from 'node:path'
import { defineConfig, type Plugin } from 'vite'

const SCREEN_ROOT = import.meta.dirname
const CESIUM_BUILD = path.resolve(SCREEN_ROOT, '../node_modules/cesium/Build/Cesium')
/** Cesium's runtime files (web workers, textures, third-party wasm, widget CSS), served next to the bundle. */
const CESIUM_STATIC = ['Workers', 'Assets', 'ThirdParty', 'Widgets']

/**
 * Copies Cesium's static directories into `<outDir>/cesium/` (CESIUM_BASE_URL is `/screen/cesium/`): the screen
 * is a page of its own, built and served without the viewer's build.
 */
function cesiumStatic(): Plugin {
  let outDir = ''
  return {
    name: 'citycheck-screen-cesium-static',
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

export default defineConfig({
  root: SCREEN_ROOT,
  base: '/screen/',
  // The prebuilt ESM bundle: one module instead of Cesium's thousands of sources, so builds take seconds.
  resolve: { alias: [{ find: /^cesium$/, replacement: path.join(CESIUM_BUILD, 'index.js') }] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    target: 'es2022',
    rolldownOptions: {
      input: { main: path.join(SCREEN_ROOT, 'index.html') },
      checks: { pluginTimings: false },
      // Cesium's prebuilt bundle uses a direct eval in a third-party shader helper; nothing to fix here.
      onwarn(warning, warn) {
        if (warning.code === 'EVAL' && warning.id?.includes('cesium')) return
        warn(warning)
      },
    },
  },
  plugins: [cesiumStatic()],
})
