import path from 'node:path'
import { defineConfig } from 'vite'
import { CESIUM_BUILD, cesiumStatic } from './cesium-static.ts'

const VIEWER_ROOT = import.meta.dirname

export default defineConfig({
  root: VIEWER_ROOT,
  base: '/viewer/',
  // The prebuilt ESM bundle: one module instead of Cesium's thousands of sources, so builds take seconds.
  resolve: { alias: [{ find: /^cesium$/, replacement: path.join(CESIUM_BUILD, 'index.js') }] },
  // Binary tables the map code inlines (`?inline`), such as the BRDF lookup table of viewer/map/brdfLut.ts.
  assetsInclude: ['**/*.bin'],
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
