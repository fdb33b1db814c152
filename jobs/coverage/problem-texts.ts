import { numberArray, textArray } from './gap-payload.ts'
import type { GapRow } from './gaps.ts'
import { FACILITY_TYPE_NAMES_EN, FACILITY_TYPE_NAMES_ZH } from './rules.ts'

/**
 * The problems' bilingual titles and facility names, made once per facility type × distance model × kind the run
 * found (an L city has ~100k gaps but at most 44 titles), as array literals, with each gap's 1-based index into
 * them in staging order. The insert looks them up by index rather than joining a titles table: on a freshly filled
 * staging table without statistics the planner had chosen a nested loop over every pair of gaps.
 */
export interface ProblemTexts {
  title: string
  titleEn: string
  name: string
  nameEn: string
  /** Per gap in staging order, the index of its texts. */
  at: string
}

export function problemTexts(gaps: readonly GapRow[]): ProblemTexts {
  const index = new Map<string, number>()
  const title: string[] = []
  const titleEn: string[] = []
  const name: string[] = []
  const nameEn: string[] = []
  const at = new Int32Array(gaps.length)
  gaps.forEach((g, i) => {
    const key = `${g.facility_type}\u0000${g.distance_model}\u0000${g.kind}`
    let k = index.get(key)
    if (k === undefined) {
      const zh = FACILITY_TYPE_NAMES_ZH[g.facility_type] ?? g.facility_type
      const en = FACILITY_TYPE_NAMES_EN[g.facility_type] ?? g.facility_type.replaceAll('_', ' ')
      const walking = g.distance_model === 'network'
      const blind = g.kind === 'blind_spot'
      title.push(blind ? `${zh}服务盲区（${walking ? '步行' : '直线'}${g.radius_m} 米）` : `${zh}容量不足`)
      titleEn.push(
        blind
          ? `${en} blind spot (${walking ? 'walking' : 'straight-line'}, ${g.radius_m} m)`
          : `${en} over capacity`,
      )
      name.push(zh)
      nameEn.push(en)
      k = title.length
      index.set(key, k)
    }
    at[i] = k
  })
  return {
    title: textArray(title),
    titleEn: textArray(titleEn),
    name: textArray(name),
    nameEn: textArray(nameEn),
    at: numberArray(at),
  }
}
