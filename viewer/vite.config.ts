import { cpSync } from 'node:fs'
import path from 'node:path'
import { defineConfig, type Plugin } from 'vite'

const VIEWER_ROOT = import.meta.dirname
const CESIUM_BUILD = path.resolve(VIEWER_ROOT, '../node_modules/cesium/Build/Cesium')
/** Cesium's runtime files (web workers, textures, third-party wasm, widget CSS), served next to the bundle. */
const CESIUM_STATIC = ['Workers', 'Assets', 'ThirdParty', 'Widgets']

/** Copies Cesium's static directories into `<outDir>/cesium/` (CESIUM_BASE_URL is `/viewer/cesium/`). */
function cesiumStatic(): Plugin {
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

export default defineConfig({
  root: VIEWER_ROOT,
  base: '/viewer/',
  // The prebuilt ESM bundle: one module instead of Cesium's thousands of sources, so builds take seconds.
  resolve: { alias: [{ find: /^cesium$/, replacement: path.join(CESIUM_BUILD, 'index.js') }] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    target: 'es2022',
    rolldownOptions: {
      // The viewer, and the API explorer (GraphiQL) served at GET /graphql to browsers.
      input: {
        main: path.join(VIEWER_ROOT, 'index.html'),
        explorer: path.join(VIEWER_ROOT, 'explorer.html'),
      },
      checks: { pluginTimings: false },
      // Cesium's prebuilt bundle uses a direct eval in a third-party shader helper; nothing to fix here.
      onwarn(warning, warn) {
        if (warning.code === 'EVAL' && warning.id?.includes('cesium')) return
        // React libraries of the explorer mark modules "use client" for server rendering, which a page has none of.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.id?.includes('node_modules')) return
        warn(warning)
      },
    },
  },
  plugins: [cesiumStatic()],
})
