/**
 * The overlays read from the API — coverage gaps, indicator grades, uncovered residents, renewal areas — each
 * only with a token (they are never public); a late answer to an earlier request is dropped.
 */
import { fetchBuildingGrades, fetchCoverageGaps, fetchRenewalAreas, fetchUncoveredCells } from './core/api.ts'
import { fetchBaseMap } from './core/basemap.ts'
import { cellOverlay, EMPTY_CELLS } from './core/cells.ts'
import { EMPTY_OVERLAY, gapOverlay } from './core/gaps.ts'
import { CITY_CODE } from './core/presets.ts'
import { renewalOutlines } from './core/renewal.ts'
import { gradeTheme } from './core/themes.ts'
import type { CityMap } from './map/types.ts'
import type { ViewerHandle, ViewerState } from './state.ts'

export class ApiLayers {
  /** The region whose grades and latest coverage run are overlaid: the city shown (docs/adr/0024). */
  regionCode = CITY_CODE
  private gapsRequest = 0
  private gradesRequest = 0
  private cellsRequest = 0

  constructor(
    private readonly state: ViewerState,
    private readonly handle: ViewerHandle,
    private readonly token: string | null,
    private readonly render: (map: CityMap) => void,
  ) {}

  /** Loads the overlays of the chosen facility type from the latest coverage run (only with a token). */
  async loadGaps(map: CityMap): Promise<void> {
    if (!this.state.blindSpotsVisible && !this.state.demandPointsVisible) return
    const request = ++this.gapsRequest
    const facilityType = this.state.gapFacilityType
    if (!this.token) {
      map.setGaps(EMPTY_OVERLAY)
      this.state.gapsHint = 'gapsSignIn'
      this.state.gapsModel = null
      this.handle.gaps = { runId: null, facilityType, blindSpots: 0, demandPoints: 0 }
      this.render(map)
      return
    }
    try {
      const result = await fetchCoverageGaps(this.regionCode, facilityType)
      if (request !== this.gapsRequest) return
      const overlay = result ? gapOverlay(result.gaps) : EMPTY_OVERLAY
      map.setGaps(overlay)
      this.state.gapsHint = result ? null : 'gapsNone'
      this.state.gapsModel = overlay.distanceModel
      this.handle.gaps = {
        runId: result?.runId ?? null,
        facilityType,
        blindSpots: overlay.polygons.length,
        demandPoints: overlay.points.length,
      }
    } catch (e) {
      console.warn('coverage overlays unavailable:', e)
      this.state.gapsHint = 'gapsNone'
    }
    this.render(map)
  }

  /** Grades of the buildings for the grade theme (only with a token: indicator values are never public). */
  async loadGrades(map: CityMap): Promise<void> {
    if (this.state.themeId !== 'grade') return
    const request = ++this.gradesRequest
    const indicatorCode = this.state.gradeIndicator
    if (!this.token) {
      this.state.gradesHint = 'gapsSignIn'
      this.handle.grades = { campaignId: null, indicatorCode, buildings: 0 }
      this.render(map)
      return
    }
    try {
      const grades = await fetchBuildingGrades(this.regionCode, indicatorCode)
      if (request !== this.gradesRequest || this.state.themeId !== 'grade') return
      this.state.theme = gradeTheme(grades?.buildings ?? [])
      map.setTheme(this.state.theme)
      this.state.gradeIndicators = grades?.indicators ?? []
      this.state.gradeCampaign = grades ? `${grades.campaignName}（${grades.year}）` : null
      this.state.gradesHint = grades ? null : 'gradesNone'
      this.handle.grades = {
        campaignId: grades?.campaignId ?? null,
        indicatorCode,
        buildings: grades?.buildings.length ?? 0,
      }
    } catch (e) {
      console.warn('building grades unavailable:', e)
      this.state.gradesHint = 'gradesNone'
    }
    this.render(map)
  }

  /** Uncovered population cells of the chosen type and the overlays' distance model (only with a token). */
  async loadCells(map: CityMap): Promise<void> {
    if (!this.state.uncoveredCellsVisible) return
    const request = ++this.cellsRequest
    const facilityType = this.state.gapFacilityType
    if (!this.token) {
      map.setUncoveredCells(EMPTY_CELLS)
      this.state.cells = { hint: 'gapsSignIn', groups: [], served: 0 }
      this.handle.uncoveredCells = { runId: null, facilityType, cells: 0, served: 0 }
      this.render(map)
      return
    }
    try {
      const result = await fetchUncoveredCells(this.regionCode, facilityType, this.state.gapsModel)
      if (request !== this.cellsRequest) return
      const overlay = result ? cellOverlay(result.cells) : EMPTY_CELLS
      map.setUncoveredCells(overlay)
      this.state.cells = {
        hint: result ? null : 'gapsNone',
        groups: result?.servedGroups ?? [],
        served: overlay.served,
      }
      this.handle.uncoveredCells = {
        runId: result?.runId ?? null,
        facilityType,
        cells: overlay.markers.length,
        served: overlay.served,
      }
    } catch (e) {
      console.warn('uncovered cells unavailable:', e)
      this.state.cells = { hint: 'gapsNone', groups: [], served: 0 }
    }
    this.render(map)
  }

  /**
   * The region's base map under the buildings (public open data, with or without a token); the handle reports it
   * once its batched geometry is built, so a test can wait for what is on screen.
   */
  async loadBaseMap(map: CityMap, regionCode: string): Promise<void> {
    try {
      map.setBaseMap(await fetchBaseMap(regionCode), this.state.lang)
      await new Promise<void>((resolve) => {
        const check = () => (map.baseMapStatus().ready ? resolve() : requestAnimationFrame(check))
        check()
      })
      const { areas, lines, labels } = map.baseMapStatus()
      this.handle.baseMap = { regionCode, areas, lines, labels }
    } catch (e) {
      console.warn('base map unavailable:', e)
    }
  }

  /** Renewal areas with their names (only with a token: areas are plans under work). */
  async loadRenewalAreas(map: CityMap): Promise<void> {
    if (!this.state.renewalAreasVisible) return
    if (!this.token) {
      map.setRenewalAreas([])
      this.state.renewalHint = 'gapsSignIn'
      this.handle.renewalAreas = 0
      this.render(map)
      return
    }
    try {
      const areas = (await fetchRenewalAreas()) ?? []
      const outlines = renewalOutlines(areas)
      map.setRenewalAreas(outlines)
      this.state.renewalHint = outlines.length > 0 ? null : 'renewalNone'
      this.handle.renewalAreas = outlines.length
    } catch (e) {
      console.warn('renewal areas unavailable:', e)
      this.state.renewalHint = 'renewalNone'
    }
    this.render(map)
  }
}
