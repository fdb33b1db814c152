/**
 * The page `npm run bench -- viewer` measures (bench/viewer.ts): one city, shown either as the 3D Tiles
 * tileset (`?mode=tiles`) or as the same buildings loaded from GeoJSON as extruded polygon entities
 * (`?mode=entities`), from the same camera over the whole city, on the viewer's offline Cesium setup.
 *
 * Results go to `window.__citycheckBench`: `firstViewS` is the time from navigation start (the origin of
 * `performance.now()`) to the end of the first frame in which everything the view needs is loaded and drawn;
 * `orbit(seconds)` then circles the camera around the city, rendering continuously, and counts frames.
 *
 * The tiles are coloured by the use theme, or with `?grades=<url>` (a JSON array of building grades, as the API's
 * `buildingGrades.buildings`) by the grade theme, styled as the viewer styles it (block massings included).
 */
import {
  BoundingSphere,
  Cesium3DTileStyle,
  Cesium3DTileset,
  Math as CesiumMath,
  Color,
  ColorMaterialProperty,
  ConstantProperty,
  type Entity,
  GeoJsonDataSource,
  HeadingPitchRange,
  JulianDate,
  type PerspectiveFrustum,
  Rectangle,
} from 'cesium'
import type { BuildingGrade } from '../../viewer/core/grades.ts'
import { colourConditions, gradeTheme, THEMES } from '../../viewer/core/themes.ts'
import { cityTilesetOptions } from '../../viewer/map/cityTileset.ts'
import { createOfflineViewer } from '../../viewer/map/offlineViewer.ts'
import { styleOf } from '../../viewer/map/themeStyle.ts'

export interface BenchOrbit {
  seconds: number
  frames: number
  fps: number
  /** Longest frame interval during the orbit, milliseconds. */
  worstFrameMs: number
}

export interface BenchHandle {
  mode: 'tiles' | 'entities'
  error: string | null
  /** Seconds from navigation start to the first fully loaded and rendered frame; null until then. */
  firstViewS: number | null
  /** Milestones in seconds from navigation start (viewer created, data loaded, added, …). */
  phases: Record<string, number>
  /**
   * Buildings shown in the first full view: each drawn itself (a leaf tile's feature, an entity) or stood for by
   * a block massing of a coarse tile (its `buildings` property).
   */
  buildingsShown: number | null
  /** Features drawn in the first full view: buildings and massing boxes of the visible tiles, or entities. */
  featuresShown: number | null
  /** Tile contents (GLBs) loaded by the first full view (tiles mode). */
  tilesLoaded: number | null
  /** Frames rendered before the first full view. */
  framesToFirstView: number | null
  /** Per frame until the first full view: [seconds, tile contents loaded, requests pending, tiles processing, flags (1 tileset loaded, 2 globe loaded)]. */
  trace: [number, number, number, number, number][]
  orbit(seconds: number): Promise<BenchOrbit>
}

declare global {
  interface Window {
    __citycheckBench: BenchHandle
  }
}

const now = () => performance.now() / 1000
const params = new URLSearchParams(location.search)
const mode = params.get('mode') === 'entities' ? 'entities' : 'tiles'
const [westDeg = 0, southDeg = 0, eastDeg = 0, northDeg = 0] = (params.get('bbox') ?? '')
  .split(',')
  .map(Number)
const maxHeightM = Number(params.get('maxHeight') ?? 100)
/**
 * Maximum screen-space error of the tileset: 8 is the real viewer's setting (viewer/map/cityTileset.ts); 0
 * refines every tile in view, so every building in view is drawn, as with the entities.
 */
const maximumScreenSpaceError = Number(params.get('sse') ?? 8)
const PITCH = CesiumMath.toRadians(-45)
/** Both modes are coloured by the viewer's use theme. */
const USE_THEME = THEMES.use
const useColour = (use: string) =>
  USE_THEME.classes.find((c) => c.label === `use.${use}`)?.colour ?? USE_THEME.fallbackColour

const handle: BenchHandle = {
  mode,
  error: null,
  firstViewS: null,
  phases: {},
  buildingsShown: null,
  featuresShown: null,
  tilesLoaded: null,
  framesToFirstView: null,
  trace: [],
  orbit: () => Promise.reject(new Error('the first view is not complete yet')),
}
window.__citycheckBench = handle
window.addEventListener('error', (e) => {
  handle.error ??= String(e.message)
})
window.addEventListener('unhandledrejection', (e) => {
  handle.error ??= String((e.reason as Error)?.message ?? e.reason)
})

document.head.append(
  Object.assign(document.createElement('link'), {
    rel: 'stylesheet',
    href: `${window.CESIUM_BASE_URL}Widgets/widgets.css`,
  }),
)

// The viewer's `lite` rendering (software GL): the same for both modes.
const viewer = createOfflineViewer(document.getElementById('map')!, true)
const scene = viewer.scene
handle.phases.viewerCreated = now()

// The whole city from above at 45°: the bounding sphere of its extent up to the tallest building.
const rectangle = Rectangle.fromDegrees(westDeg, southDeg, eastDeg, northDeg)
const sphere = BoundingSphere.fromRectangle3D(rectangle, undefined, maxHeightM / 2)
const frustum = scene.camera.frustum as PerspectiveFrustum
// Fit the sphere across (the wider field of view) and, foreshortened by the pitch, up and down (the narrower).
const fovRad = frustum.fov ?? Math.PI / 3
const fovyRad = frustum.fovy ?? fovRad
const range =
  1.05 *
  Math.max(
    sphere.radius / Math.tan(fovRad / 2),
    (sphere.radius * Math.sin(-PITCH) + maxHeightM) / Math.tan(fovyRad / 2),
  )
const lookAt = (headingRad: number) =>
  scene.camera.lookAt(sphere.center, new HeadingPitchRange(headingRad, PITCH, range))
lookAt(0)

let frames = 0
let shownThisFrame = 0
let featuresThisFrame = 0
const onFullView = (buildingsShown: number, featuresShown: number, tilesLoaded: number | null) => {
  handle.firstViewS = now()
  handle.buildingsShown = buildingsShown
  handle.featuresShown = featuresShown
  handle.tilesLoaded = tilesLoaded
  handle.framesToFirstView = frames
  handle.orbit = orbit
}

/** When the buildings alone, and the globe alone, were first complete (the full view needs both). */
function milestones(buildingsLoaded: boolean): void {
  if (buildingsLoaded) handle.phases.buildingsLoaded ??= now()
  if (scene.globe.tilesLoaded) handle.phases.globeLoaded ??= now()
}

async function showTiles(): Promise<void> {
  const tileset = await Cesium3DTileset.fromUrl(params.get('tileset') ?? '/tiles/tileset.json', {
    ...cityTilesetOptions(true),
    maximumScreenSpaceError,
  })
  const gradesUrl = params.get('grades')
  tileset.style = gradesUrl
    ? styleOf(gradeTheme((await (await fetch(gradesUrl)).json()) as BuildingGrade[]))
    : new Cesium3DTileStyle({ color: { conditions: colourConditions(USE_THEME) } })
  handle.phases.tilesetJsonLoaded = now()
  let contents = 0
  tileset.tileLoad.addEventListener(() => {
    contents++
  })
  tileset.tileFailed.addEventListener((e: { url: string; message: string }) => {
    handle.error ??= `${e.url}: ${e.message}`
  })
  // Buildings a tile's features stand for: 1 each in a leaf, the massing's `buildings` in an inner tile.
  const standsFor = new WeakMap<object, number>()
  tileset.tileVisible.addEventListener((tile) => {
    const content = tile.content
    let buildings = standsFor.get(content)
    if (buildings === undefined) {
      buildings = 0
      for (let i = 0; i < content.featuresLength; i++) {
        buildings += Number(content.getFeature(i).getProperty('buildings') ?? 1)
      }
      standsFor.set(content, buildings)
    }
    shownThisFrame += buildings
    featuresThisFrame += content.featuresLength
  })
  scene.preUpdate.addEventListener(() => {
    shownThisFrame = 0
    featuresThisFrame = 0
  })
  scene.primitives.add(tileset)
  scene.postRender.addEventListener(() => {
    frames++
    if (handle.firstViewS !== null) return
    if (contents > 0 && !handle.phases.firstTileLoaded) handle.phases.firstTileLoaded = now()
    const statistics = (
      tileset as unknown as {
        statistics: { numberOfPendingRequests: number; numberOfTilesProcessing: number }
      }
    ).statistics
    handle.trace.push([
      now(),
      contents,
      statistics.numberOfPendingRequests,
      statistics.numberOfTilesProcessing,
      (tileset.tilesLoaded ? 1 : 0) + (scene.globe.tilesLoaded ? 2 : 0),
    ])
    // tilesLoaded is exact after the tileset's first update (its requests for the view issued); from far away
    // the view may need no content at all, so do not wait for a first tile.
    const buildingsLoaded = tileset.tilesLoaded && frames >= 2
    milestones(buildingsLoaded)
    if (buildingsLoaded && scene.globe.tilesLoaded) onFullView(shownThisFrame, featuresThisFrame, contents)
  })
}

async function showEntities(): Promise<void> {
  const dataSource = await GeoJsonDataSource.load(params.get('geojson') ?? '/data/buildings.geojson', {
    fill: Color.WHITE,
    stroke: Color.TRANSPARENT,
    strokeWidth: 0,
  })
  handle.phases.geojsonLoaded = now()
  // Extrude every footprint from its base to its roof (the Sandcastle recipe), coloured like the tiles, no outline.
  const entities = dataSource.entities
  entities.suspendEvents()
  const colours = new Map<string, ColorMaterialProperty>()
  const time = JulianDate.now()
  for (const entity of entities.values as Entity[]) {
    const polygon = entity.polygon
    if (!polygon || !entity.properties) continue
    const p = entity.properties.getValue(time) as { base: number; top: number; use: string | null }
    polygon.height = new ConstantProperty(p.base)
    polygon.extrudedHeight = new ConstantProperty(p.top)
    polygon.outline = new ConstantProperty(false)
    const use = p.use ?? 'other'
    let material = colours.get(use)
    if (!material) {
      material = new ColorMaterialProperty(Color.fromCssColorString(useColour(use)))
      colours.set(use, material)
    }
    polygon.material = material
  }
  entities.resumeEvents()
  handle.phases.entitiesExtruded = now()
  // DataSourceDisplay.ready is sticky (true before anything is added); its update()'s result is not.
  const display = viewer.dataSourceDisplay
  const update = display.update.bind(display)
  let displayReady = false
  display.update = (time: JulianDate) => {
    displayReady = update(time)
    return displayReady
  }
  await viewer.dataSources.add(dataSource)
  handle.phases.entitiesAdded = now()
  const count = entities.values.length
  let seen = false
  scene.postRender.addEventListener(() => {
    frames++
    if (handle.firstViewS !== null) return
    // Only frames after the one that took the entities in can report them ready.
    if (!seen) {
      seen = true
      return
    }
    milestones(displayReady)
    if (displayReady && scene.globe.tilesLoaded) onFullView(count, count, null)
  })
}

function orbit(seconds: number): Promise<BenchOrbit> {
  return new Promise((resolve) => {
    const start = performance.now()
    let last = start
    let count = 0
    let worst = 0
    const remove = scene.postRender.addEventListener(() => {
      const t = performance.now()
      count++
      worst = Math.max(worst, t - last)
      last = t
      if (t - start >= seconds * 1000) {
        remove()
        remove2()
        const s = (t - start) / 1000
        resolve({ seconds: s, frames: count, fps: count / s, worstFrameMs: worst })
      }
    })
    // Half a turn per orbit, whatever the frame rate: the camera moves by time, not by frame.
    const remove2 = scene.preRender.addEventListener(() => {
      lookAt((Math.PI * (performance.now() - start)) / (seconds * 1000))
    })
  })
}

void (async () => {
  try {
    if (mode === 'tiles') await showTiles()
    else await showEntities()
  } catch (error) {
    handle.error = (error as Error).stack ?? String(error)
  }
})()
