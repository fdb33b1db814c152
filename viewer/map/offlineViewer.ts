/**
 * The Cesium Viewer as CityCheck runs it: offline (no ion, no imagery: a locally drawn grid), no widgets. Data
 * credits are the caller's: the city viewer adds OpenStreetMap's.
 */
import { Color, EllipsoidTerrainProvider, JulianDate, type Scene, Viewer } from 'cesium'
import { localGridMaterial } from './baseLayer.ts'
import { usePrecomputedBrdfLut } from './brdfLut.ts'

/**
 * The plain ellipsoid, but saying every tile exists. EllipsoidTerrainProvider answers "unknown", and Cesium then
 * refines the globe one level per frame, as each tile's (empty) terrain arrives: some ten frames more to reach the
 * city's tiles, seconds under software GL. Known availability lets it go to the tiles the view needs at once.
 */
class FlatTerrainProvider extends EllipsoidTerrainProvider {
  override getTileDataAvailable(): boolean {
    return true
  }
}

/**
 * No depth plane (lite). Primitives are not depth-tested against the globe here (Cesium's default), so after the
 * globe is drawn Cesium clears its depth and draws an ellipsoid-shaped depth plane, every frame, to keep primitives
 * on the far side of the Earth hidden. Under SwiftShader that draw — most of the screen, with a logarithmic depth
 * written per pixel — took about a fifth of an L-city frame (docs/adr/0008); the viewer shows one city, never
 * anything beyond the horizon, and picking still reads the globe's own depth. Cesium has no setting for it: the
 * plane (`_depthPlane`, private) is told to draw nothing; a release without it keeps its plane.
 */
function withoutDepthPlane(scene: Scene): void {
  const plane = (scene as unknown as { _depthPlane?: { execute?: unknown } })._depthPlane
  if (plane && typeof plane.execute === 'function') plane.execute = () => {}
}

/** Local noon in Shanghai, so the buildings are lit the same way whenever the viewer runs. */
const FIXED_TIME = JulianDate.fromIso8601('2025-06-21T04:00:00Z')

/**
 * @param lite cheaper rendering for software GL (headless tests, benchmarks, old machines): no MSAA, sky box,
 *   atmosphere, fog, sun, moon or FXAA, and no order-independent translucency: its resolve and adjustment passes
 *   ran over the whole screen every frame, translucent or not (about a quarter of an L-city frame under SwiftShader;
 *   docs/adr/0008); the few translucent overlays (gaps, plans) are flat and blend in Cesium's sorted order instead.
 *   The city looks the same.
 */
export function createOfflineViewer(container: HTMLElement, lite: boolean): Viewer {
  const viewer = new Viewer(container, {
    baseLayer: false,
    terrainProvider: new FlatTerrainProvider(),
    geocoder: false,
    baseLayerPicker: false,
    animation: false,
    timeline: false,
    homeButton: false,
    sceneModePicker: false,
    navigationHelpButton: false,
    fullscreenButton: false,
    infoBox: false,
    selectionIndicator: false,
    shouldAnimate: false,
    msaaSamples: lite ? 1 : 4,
    orderIndependentTranslucency: !lite,
    ...(lite ? { skyBox: false, skyAtmosphere: false } : {}),
  })
  const scene = viewer.scene
  // Before the first model: Cesium would render this table when the first city tile arrives (brdfLut.ts).
  usePrecomputedBrdfLut(scene)
  if (lite) {
    scene.fog.enabled = false
    if (scene.sun) scene.sun.show = false
    if (scene.moon) scene.moon.show = false
    scene.globe.showGroundAtmosphere = false
    scene.postProcessStages.fxaa.enabled = false
    withoutDepthPlane(scene)
  }
  // The globe is a plain ellipsoid under a faint grid: coarse tiles look the same and load far sooner.
  scene.globe.maximumScreenSpaceError = 8
  // Its tiles cost next to nothing to load, so load just the ones in view, straight away, rather than their
  // ancestors first (preloadAncestors) or level by level (loadingDescendantLimit): fewer frames to a loaded globe.
  scene.globe.preloadAncestors = false
  scene.globe.loadingDescendantLimit = Number.POSITIVE_INFINITY
  scene.globe.material = localGridMaterial()
  viewer.clock.currentTime = FIXED_TIME
  scene.globe.baseColor = Color.fromCssColorString('#1f2a36')
  return viewer
}
