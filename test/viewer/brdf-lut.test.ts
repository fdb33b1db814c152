/**
 * The BRDF lookup table the viewer hands to Cesium (viewer/map/brdfLut.ts): the shipped file is the integral of
 * viewer/core/brdfLut.ts, that integral is what Cesium's own generator shader renders, and a city drawn on the
 * viewer's setup never makes Cesium render the table itself. The same page shows that the lite viewer draws none of
 * the passes it leaves out for software GL (viewer/map/offlineViewer.ts, cityTileset.ts).
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForFirstView } from '../../bench/viewer-browser.ts'
import { buildBenchPage, serveDirectories } from '../../bench/viewer-views.ts'
import { generateTileset } from '../../jobs/tiles/tileset.ts'
import { PROJECT_ROOT } from '../../server/config.ts'
import { BRDF_LUT_SIZE, brdfLutTexels } from '../../viewer/core/brdfLut.ts'
import { launchChromium, VIEWPORT } from '../helpers/browser.ts'
import { gridBuildings } from '../jobs/tiles/helpers.ts'

const LUT_FILE = path.join(PROJECT_ROOT, 'viewer', 'map', 'brdf-lut.bin')
/** Cesium's generator shader, as its engine package ships it. */
const GENERATOR_FS = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@cesium/engine/package.json')),
  'Source',
  'Shaders',
  'BrdfLutGeneratorFS.glsl',
)
/**
 * Words only one of Cesium's shaders has, by what it draws: the BRDF table, the depth plane, the composite of
 * order-independent translucency, the tileset's environment map; and the city's tiles (every model's).
 */
const MARKS = {
  brdfTable: 'integrateBrdf',
  depthPlane: 'out_FragColor = vec4(1.0, 1.0, 0.0, 1.0);',
  translucencyComposite: 'u_revealage',
  environmentMap: 'u_faceDirection',
  tiles: 'czm_modelMaterial',
} as const
const SHADERS = path.join(path.dirname(GENERATOR_FS))

/**
 * Runs in the page (plain JavaScript: no compiled helpers): draws `fragmentSource` over a 256 × 256 RGBA8 target,
 * as Cesium's viewport quad does (texture coordinates 0…1 across), and returns the texels, rows from the bottom.
 */
const RENDER_TABLE = `(fragmentSource) => {
  const size = ${BRDF_LUT_SIZE}
  const gl = document.createElement('canvas').getContext('webgl2')
  function compile(type, source) {
    const shader = gl.createShader(type)
    gl.shaderSource(shader, source)
    gl.compileShader(shader)
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader))
    return shader
  }
  const program = gl.createProgram()
  gl.attachShader(program, compile(gl.VERTEX_SHADER, '#version 300 es\\nin vec2 position;\\nout vec2 v_textureCoordinates;\\n' +
    'void main() { gl_Position = vec4(position, 0.0, 1.0); v_textureCoordinates = position * 0.5 + 0.5; }'))
  gl.attachShader(program, compile(gl.FRAGMENT_SHADER, '#version 300 es\\nprecision highp float;\\nprecision highp int;\\n' +
    'layout(location = 0) out vec4 out_FragColor;\\n' + fragmentSource))
  gl.linkProgram(program)
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program))
  const texture = gl.createTexture()
  gl.bindTexture(gl.TEXTURE_2D, texture)
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, size, size, 0, gl.RGBA, gl.UNSIGNED_BYTE, null)
  gl.bindFramebuffer(gl.FRAMEBUFFER, gl.createFramebuffer())
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0)
  gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer())
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW)
  gl.useProgram(program)
  const position = gl.getAttribLocation(program, 'position')
  gl.enableVertexAttribArray(position)
  gl.vertexAttribPointer(position, 2, gl.FLOAT, false, 0, 0)
  gl.viewport(0, 0, size, size)
  gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4)
  const texels = new Uint8Array(size * size * 4)
  gl.readPixels(0, 0, size, size, gl.RGBA, gl.UNSIGNED_BYTE, texels)
  return Array.from(texels)
}`

/**
 * Counts, in the page, the shaders compiled (window.__compiled) and the draws made (window.__drawn) with a program
 * whose source holds each mark.
 */
const COUNT_PASSES = `(() => {
  const marks = ${JSON.stringify(MARKS)}
  const compiled = (window.__compiled = {})
  const drawn = (window.__drawn = {})
  const tags = new WeakMap()
  const gl = WebGL2RenderingContext.prototype
  const shaderSource = gl.shaderSource
  gl.shaderSource = function (shader, source) {
    const found = Object.keys(marks).filter((name) => source.includes(marks[name]))
    tags.set(shader, found)
    for (const name of found) compiled[name] = (compiled[name] || 0) + 1
    return shaderSource.call(this, shader, source)
  }
  const attachShader = gl.attachShader
  gl.attachShader = function (program, shader) {
    tags.set(program, (tags.get(program) || []).concat(tags.get(shader) || []))
    return attachShader.call(this, program, shader)
  }
  let current = []
  const useProgram = gl.useProgram
  gl.useProgram = function (program) {
    current = (program && tags.get(program)) || []
    return useProgram.call(this, program)
  }
  for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced']) {
    const draw = gl[name]
    gl[name] = function (...args) {
      for (const tag of current) drawn[tag] = (drawn[tag] || 0) + 1
      return draw.apply(this, args)
    }
  }
})()`

describe('the precomputed BRDF lookup table', () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-brdf-lut-'))
  let browser: Browser

  beforeAll(async () => {
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    fs.rmSync(workDir, { recursive: true, force: true })
  })

  it('ships the table of viewer/core/brdfLut.ts (scripts/brdf-lut.ts writes it)', () => {
    const shipped = new Uint8Array(fs.readFileSync(LUT_FILE))
    expect(shipped.length).toBe(2 * BRDF_LUT_SIZE * BRDF_LUT_SIZE)
    expect(Buffer.from(shipped).equals(Buffer.from(brdfLutTexels()))).toBe(true)
  })

  it("is the table Cesium's own generator shader renders, to the last bit of a byte", async () => {
    const page = await browser.newPage()
    const rendered: number[] = await page.evaluate(
      `(${RENDER_TABLE})(${JSON.stringify(fs.readFileSync(GENERATOR_FS, 'utf8'))})`,
    )
    const shipped = new Uint8Array(fs.readFileSync(LUT_FILE))
    let worst = 0
    let differing = 0
    for (let i = 0; i < BRDF_LUT_SIZE * BRDF_LUT_SIZE; i++) {
      for (let c = 0; c < 2; c++) {
        const d = Math.abs(rendered[4 * i + c]! - shipped[2 * i + c]!)
        worst = Math.max(worst, d)
        if (d > 0) differing++
      }
    }
    // Floats on the GPU, doubles here: a few values round to the neighbouring byte.
    expect(worst).toBeLessThanOrEqual(1)
    expect(differing).toBeLessThan(0.01 * 2 * BRDF_LUT_SIZE * BRDF_LUT_SIZE)
    // Not a flat table: the scale runs from near 0 at grazing angles to near 1 head-on for smooth surfaces.
    expect(shipped[0]).toBeLessThan(10)
    expect(shipped[2 * (BRDF_LUT_SIZE - 1)]).toBeGreaterThan(200)
    await page.close()
  })

  it('lets the lite viewer draw a city without the table, the depth plane, OIT or an environment map', async () => {
    const { buildings } = gridBuildings({ count: 400, spacingM: 30 })
    await generateTileset(buildings, { outDir: path.join(workDir, 'tiles'), maxFeaturesPerTile: 50 })
    await buildBenchPage(path.join(workDir, 'viewer'))
    const site = await serveDirectories({
      '/viewer/': path.join(workDir, 'viewer'),
      '/tiles/': path.join(workDir, 'tiles'),
    })
    try {
      const page = await browser.newPage({ viewport: VIEWPORT })
      await page.addInitScript(COUNT_PASSES)
      const corners = buildings.map((b) =>
        b.footprint.type === 'Polygon'
          ? b.footprint.coordinates[0]![0]!
          : b.footprint.coordinates[0]![0]![0]!,
      )
      const lons = corners.map((c) => c[0]!)
      const lats = corners.map((c) => c[1]!)
      const query = new URLSearchParams({
        mode: 'tiles',
        sse: '0',
        bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)].join(','),
        maxHeight: '125',
        tileset: '/tiles/tileset.json',
      })
      await page.goto(`${site.url}/viewer/index.html?${query}`)
      expect(await waitForFirstView(page, 240_000)).toBe(true)
      expect(await page.evaluate(() => window.__citycheckBench.featuresShown)).toBe(buildings.length)
      // Some frames of the full view, then what was compiled and drawn.
      await page.evaluate(() => window.__citycheckBench.orbit(1))
      const { compiled, drawn } = (await page.evaluate(() => ({
        compiled: (window as unknown as { __compiled: object }).__compiled,
        drawn: (window as unknown as { __drawn: object }).__drawn,
      }))) as { compiled: Record<string, number>; drawn: Record<string, number> }
      // The marks are Cesium's own: each is in the engine's shader sources, and the tiles' is seen at work.
      const sources = fs
        .readdirSync(SHADERS)
        .filter((f) => f.endsWith('.glsl'))
        .map((f) => fs.readFileSync(path.join(SHADERS, f), 'utf8'))
      for (const [name, mark] of Object.entries(MARKS)) {
        if (name !== 'tiles')
          expect(
            sources.some((text) => text.includes(mark)),
            name,
          ).toBe(true)
      }
      expect(drawn.tiles).toBeGreaterThan(0)
      expect(compiled.brdfTable ?? 0).toBe(0)
      expect(drawn.depthPlane ?? 0).toBe(0)
      expect(drawn.translucencyComposite ?? 0).toBe(0)
      expect(drawn.environmentMap ?? 0).toBe(0)
      await page.close()
    } finally {
      await site.close()
    }
  }, 300_000)
})
