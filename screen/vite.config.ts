import path from 'node:path'
import { defineConfig } from 'vite'
import { CESIUM_BUILD, cesiumStatic } from '../viewer/cesium-static.ts'

const SCREEN_ROOT = import.meta.dirname

export default defineConfig({
  root: SCREEN_ROOT,
  base: '/screen/',
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
