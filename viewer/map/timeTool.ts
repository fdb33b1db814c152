/**
 * The time slider on the map: the city as it stood in a year — buildings built later hidden, those of unknown
 * year drawn faded — with a 3D Tiles style on the city tileset itself (no other tiles), and the problems of that
 * year as markers, open ones and closed ones apart.
 */
import {
  Cartesian3,
  type Cesium3DTile,
  type Cesium3DTileFeature,
  Cesium3DTileStyle,
  type Cesium3DTileset,
  Color,
  PointPrimitiveCollection,
  type Scene,
} from 'cesium'
import { isMassing, MASSING_ID } from '../core/massing.ts'
import {
  PHASE_COLOURS,
  type ProblemPhase,
  problemPhase,
  type TimelineProblem,
  UNKNOWN_YEAR_ALPHA,
} from '../core/timeline.ts'
import type { CityTileset } from './cityTileset.ts'
import type { TimeCounts } from './types.ts'

const MARKER_HEIGHT_M = 8

const undated = (feature: Cesium3DTileFeature): boolean =>
  feature.getProperty('yearBuilt') === undefined || isMassing(Number(feature.getProperty('id')))

/**
 * The theme's style with the year applied: `show` hides features built after `year` (a missing year is
 * `undefined` in the styling language, tested first so that no comparison sees it); the colour is the
 * theme's, faded where the year is unknown. A block massing (id 0) stands for many buildings and its year is
 * only their mean where known: it is never hidden by it, and drawn as undated.
 */
export function timeStyle(base: Cesium3DTileStyle | undefined, year: number): Cesium3DTileStyle {
  const style = new Cesium3DTileStyle({
    show: `\${id} === ${MASSING_ID} || \${yearBuilt} === undefined || \${yearBuilt} <= ${Math.trunc(year)}`,
  })
  const baseColour = base?.color
  const expression = {
    evaluateColor(feature: Cesium3DTileFeature, result?: Color): Color {
      const colour = baseColour
        ? baseColour.evaluateColor(feature, result)
        : Color.clone(Color.WHITE, result ?? new Color())
      if (undated(feature)) colour.alpha *= UNKNOWN_YEAR_ALPHA
      return colour
    },
  }
  // Cesium evaluates any object with `evaluateColor` as the colour expression (see Cesium3DTileStyle#color).
  style.color = expression as unknown as Cesium3DTileStyle['color']
  return style
}

export class TimeTool {
  private year: number | null = null
  /** The theme's style under the year's, and the style the tool set (to see when a theme replaced it). */
  private base: Cesium3DTileStyle | undefined
  private applied: Cesium3DTileStyle | undefined
  private problems: readonly TimelineProblem[] = []
  private readonly markers: PointPrimitiveCollection
  private drawnTiles: Cesium3DTile[] = []
  private frameTiles: Cesium3DTile[] = []
  private readonly watched = new WeakSet<Cesium3DTileset>()

  constructor(
    scene: Scene,
    private readonly city: CityTileset,
  ) {
    this.markers = scene.primitives.add(new PointPrimitiveCollection()) as PointPrimitiveCollection
    // A theme chosen (or a reload) while the slider is on sets the theme's style on the tileset: take it as the
    // new base and put the year back on it before the frame is drawn.
    scene.preRender.addEventListener(() => this.keepYearStyle())
    scene.postRender.addEventListener(() => {
      this.drawnTiles = this.frameTiles
      this.frameTiles = []
    })
    this.watchTiles(city.tileset)
  }

  get activeYear(): number | null {
    return this.year
  }

  /** Shows the city in `year`, or as it is now (null). */
  setYear(year: number | null, problems: readonly TimelineProblem[] = this.problems): void {
    this.problems = problems
    if (year === null) {
      if (this.year !== null) this.city.setStyle(this.base ?? new Cesium3DTileStyle())
      this.year = null
      this.applied = undefined
      this.markers.removeAll()
      return
    }
    if (this.year === null) this.base = this.city.tileset.style
    this.year = year
    this.applyYear()
    this.drawProblems(year)
  }

  /** Problems drawn in the year: open and closed. */
  problemCounts(): Record<Exclude<ProblemPhase, 'hidden'>, number> {
    const counts = { open: 0, closed: 0 }
    if (this.year === null) return counts
    for (const p of this.problems) {
      const phase = problemPhase(p, this.year)
      if (phase !== 'hidden') counts[phase]++
    }
    return counts
  }

  /** Features of the tiles drawn in the last frame, by what the style made of them. */
  counts(): TimeCounts {
    const counts = { shown: 0, hidden: 0, unknownYear: 0 }
    for (const tile of this.drawnTiles) {
      const content = tile.content
      for (let i = 0; i < content.featuresLength; i++) {
        const feature = content.getFeature(i)
        if (!feature.show) counts.hidden++
        else {
          counts.shown++
          if (undated(feature)) counts.unknownYear++
        }
      }
    }
    return counts
  }

  private applyYear(): void {
    if (this.year === null) return
    this.applied = timeStyle(this.base, this.year)
    this.city.setStyle(this.applied)
  }

  private keepYearStyle(): void {
    const tileset = this.city.tileset
    if (!this.watched.has(tileset)) this.watchTiles(tileset)
    if (this.year === null || tileset.style === this.applied) return
    this.base = tileset.style
    this.applyYear()
  }

  private watchTiles(tileset: Cesium3DTileset): void {
    this.watched.add(tileset)
    tileset.tileVisible.addEventListener((tile: Cesium3DTile) => {
      if (tileset === this.city.tileset) this.frameTiles.push(tile)
    })
  }

  private drawProblems(year: number): void {
    this.markers.removeAll()
    for (const p of this.problems) {
      const phase = problemPhase(p, year)
      if (phase === 'hidden') continue
      this.markers.add({
        position: Cartesian3.fromDegrees(p.lonDeg, p.latDeg, MARKER_HEIGHT_M),
        color: Color.fromCssColorString(PHASE_COLOURS[phase]),
        pixelSize: phase === 'open' ? 10 : 7,
        outlineColor: phase === 'open' ? Color.WHITE : Color.BLACK.withAlpha(0.6),
        outlineWidth: 1.5,
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      })
    }
  }
}
