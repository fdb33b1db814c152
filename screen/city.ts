/**
 * What the 3D city in the middle shows: the region's base map under the buildings (its own water, green, roads
 * and district names), and the buildings coloured by the latest graded campaign's grades, the check's results at
 * a glance; by problem severity where no campaign is graded yet.
 */
import { fetchBuildingGrades, setAuthToken } from '../viewer/core/api.ts'
import { fetchBaseMap } from '../viewer/core/basemap.ts'
import type { Lang } from '../viewer/core/i18n.ts'
import { gradeTheme, THEMES } from '../viewer/core/themes.ts'
import type { CityMap } from '../viewer/map/types.ts'

export async function showBaseMap(map: CityMap, regionCode: string, lang: Lang): Promise<void> {
  try {
    map.setBaseMap(await fetchBaseMap(regionCode), lang)
  } catch (error) {
    console.warn('base map unavailable:', error)
  }
}

/** Colours the buildings by grade; returns the number of graded buildings (0: the severity theme instead). */
export async function colourByGrade(map: CityMap, regionCode: string, token: string): Promise<number> {
  setAuthToken(token)
  try {
    const grades = await fetchBuildingGrades(regionCode, null)
    if (grades && grades.buildings.length > 0) {
      map.setTheme(gradeTheme(grades.buildings))
      return grades.buildings.length
    }
  } catch (error) {
    console.warn('building grades unavailable:', error)
  }
  map.setTheme(THEMES.severity)
  return 0
}
