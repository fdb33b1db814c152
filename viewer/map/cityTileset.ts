/**
 * The city model tileset: loading, load status, and in-place reloading when the server rewrote tiles. A region's
 * tileset is read with a bearer token: it goes in the headers of the tileset's Resource, which every tile request
 * derived from it (GLBs) inherits.
 */
import {
  type Cesium3DTileStyle,
  Cesium3DTileset,
  CustomShader,
  LightingModel,
  RequestErrorEvent,
  Resource,
  type Scene,
} from 'cesium'
import type { MapStatus } from './types.ts'

/**
 * The city's tiles carry no normals (docs/adr/0008, "The tiles carry no normals"): a building's corner is one
 * vertex for its walls, roof and floor, and each face is lit by its own plane, the one the screen-space
 * derivatives of its eye-space position span (Cesium would otherwise draw a model without normals unlit).
 */
const FLAT_FACES = new CustomShader({
  lightingModel: LightingModel.PBR,
  fragmentShaderText: `
    void fragmentMain(FragmentInput fsInput, inout czm_modelMaterial material) {
      vec3 p = fsInput.attributes.positionEC;
      material.normalEC = normalize(cross(dFdx(p), dFdy(p)));
    }`,
})

/**
 * How the city's tileset is loaded (the tileset takes `customShader` from its options, which Cesium's typings
 * leave out): by the viewer, and by the viewer benchmark's page (bench/viewer-page). The lite
 * viewer (software GL: no sky box, atmosphere, sun or moon) also leaves out the tileset's dynamic environment map:
 * when the tileset loads, it renders the sky into a cube map, convolves it and projects it onto spherical harmonics
 * to light the buildings from the sky — about half a second of software GL before the first tile of the L city,
 * for boxes that look the same lit by Cesium's default coefficients (docs/adr/0008).
 */
export function cityTilesetOptions(
  lite: boolean,
): Cesium3DTileset.ConstructorOptions & { customShader: CustomShader } {
  return {
    maximumScreenSpaceError: 8,
    customShader: FLAT_FACES,
    ...(lite ? { environmentMapOptions: { enabled: false } } : {}),
  }
}

/** How long the first load waits for a tileset the server is still generating (it answers 503). */
const MAX_BUILD_WAIT_S = 600
/** Longest pause between two attempts when the server does not say (Retry-After). */
const MAX_RETRY_DELAY_S = 15

export class CityTileset {
  readonly status: MapStatus = { ready: false, tilesLoaded: false, tileContentsLoaded: 0, errors: [] }
  private style: Cesium3DTileStyle | undefined
  private show = true
  /** Settings of the tileset beyond style and show (clipping, split side) by name, applied again after a reload. */
  private readonly decorations = new Map<string, (tileset: Cesium3DTileset) => void>()

  private constructor(
    private readonly scene: Scene,
    private resource: Resource,
    private readonly options: Cesium3DTileset.ConstructorOptions,
    public tileset: Cesium3DTileset,
  ) {
    this.attach(tileset)
    scene.primitives.add(tileset)
    this.status.ready = true
  }

  /**
   * Loads the tileset, waiting (with backoff, up to {@link MAX_BUILD_WAIT_S}) while the server builds it, with
   * `headers` (the Authorization of a region's tileset) on every request; `lite` as the viewer's
   * ({@link cityTilesetOptions}).
   */
  static async load(
    scene: Scene,
    url: string,
    headers: Record<string, string> = {},
    lite = false,
  ): Promise<CityTileset> {
    const resource = new Resource({ url, headers })
    const options = cityTilesetOptions(lite)
    return new CityTileset(scene, resource, options, await fromUrlOnceBuilt(resource, options))
  }

  /** A second, independent tileset of the city shown now (the same address and headers), added to the scene. */
  async copy(): Promise<CityTileset> {
    const { scene, options } = this
    return new CityTileset(
      scene,
      this.resource.clone(),
      options,
      await fromUrlOnceBuilt(this.resource, options),
    )
  }

  setStyle(style: Cesium3DTileStyle): void {
    this.style = style
    this.tileset.style = style
  }

  /**
   * Applies `decorate` now and to every tileset a reload brings (each needs its own clipping collections); one
   * decoration per `name`, a later one replacing it.
   */
  decorate(name: string, decorate: (tileset: Cesium3DTileset) => void): void {
    this.decorations.set(name, decorate)
    decorate(this.tileset)
  }

  setShow(show: boolean): void {
    this.show = show
    this.tileset.show = show
  }

  /**
   * Loads the tileset again (tiles the server rewrote come back fresh, the others from the HTTP cache after
   * revalidation) and swaps it in once its first view has loaded, so the city never disappears.
   */
  async reload(): Promise<void> {
    const next = this.prepare(await fromUrlOnceBuilt(this.resource, this.options))
    if (this.show) {
      await new Promise<void>((resolve) => {
        const remove = next.initialTilesLoaded.addEventListener(() => {
          remove()
          resolve()
        })
      })
    }
    this.swapTo(next)
  }

  /**
   * Swaps in another city's tileset (docs/adr/0024: one per city), keeping style, show and decorations; waits while
   * the server builds it. At once, not after its first view: the camera is still over the other city.
   */
  async replace(url: string, headers: Record<string, string> = {}): Promise<void> {
    this.resource = new Resource({ url, headers })
    this.swapTo(this.prepare(await fromUrlOnceBuilt(this.resource, this.options)), false)
  }

  /** A new tileset styled and decorated like the one shown, added to the scene. */
  private prepare(next: Cesium3DTileset): Cesium3DTileset {
    if (this.style) next.style = this.style
    next.show = this.show
    for (const decorate of this.decorations.values()) decorate(next)
    this.scene.primitives.add(next)
    return next
  }

  /** `firstViewLoaded`: a reload waited for its first view; another city's tiles are still to load. */
  private swapTo(next: Cesium3DTileset, firstViewLoaded = true): void {
    const previous = this.tileset
    this.tileset = next
    // Its first view is loaded (initialTilesLoaded) after a reload; later loads are tracked by the listeners.
    this.status.tilesLoaded = next.tilesLoaded || (this.show && firstViewLoaded)
    this.attach(next)
    this.scene.primitives.remove(previous)
  }

  private attach(tileset: Cesium3DTileset): void {
    const status = this.status
    tileset.tileLoad.addEventListener(() => {
      status.tileContentsLoaded++
    })
    tileset.tileFailed.addEventListener((e: { url: string; message: string }) => {
      status.errors.push(`${e.url}: ${e.message}`)
    })
    tileset.allTilesLoaded.addEventListener(() => {
      if (tileset === this.tileset) status.tilesLoaded = true
    })
    tileset.loadProgress.addEventListener((pending: number, processing: number) => {
      if (tileset === this.tileset)
        status.tilesLoaded = pending === 0 && processing === 0 && tileset.tilesLoaded
    })
  }
}

async function fromUrlOnceBuilt(
  resource: Resource,
  options: Cesium3DTileset.ConstructorOptions,
): Promise<Cesium3DTileset> {
  let waitedS = 0
  for (let attempt = 1; ; attempt++) {
    try {
      return await Cesium3DTileset.fromUrl(resource.clone(), options)
    } catch (error) {
      if (!(error instanceof RequestErrorEvent) || error.statusCode !== 503 || waitedS >= MAX_BUILD_WAIT_S) {
        throw error
      }
      // 1, 2, 4 … seconds, never longer than the server asks for.
      const hintS = Number((error.responseHeaders as Record<string, string> | undefined)?.['retry-after'])
      const delayS = Math.min(2 ** (attempt - 1), hintS > 0 ? hintS : MAX_RETRY_DELAY_S)
      await new Promise((resolve) => setTimeout(resolve, delayS * 1000))
      waitedS += delayS
    }
  }
}
