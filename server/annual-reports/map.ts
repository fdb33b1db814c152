import * as echarts from 'echarts'
import type { Figure } from './charts.ts'
import { renderSvg } from './charts.ts'
import { AGE_GROUPS, type AgeGroup } from './coverage.ts'
import type { CoverageSection, MapRegion } from './types.ts'

// Maps of the city drawn from its own data on the server: region boundaries and the coverage run's blind-spot
// outlines, as GeoJSON registered with ECharts and rendered to SVG. No tiles, nothing fetched.

const MAP_WIDTH = 640
const MAP_HEIGHT = 400

/**
 * One map per age group: the blind spots of the facility types serving that group, shaded by how many of its
 * residents they leave out, over the boundaries of the report's region and its districts. Null without gaps.
 */
export function blindSpotMaps(
  regions: readonly MapRegion[],
  coverage: CoverageSection,
  key: string,
): Figure[] {
  const outlines = regions.filter((r) => r.boundary)
  return AGE_GROUPS.flatMap((group, i) => {
    const gaps = coverage.gaps.filter((g) => g[group.key] > 0.5)
    if (gaps.length === 0) return []
    const figure = groupMap(outlines, gaps, group.key, `${key}-${group.key}`)
    return [
      {
        key: `map-${group.key}`,
        caption: `图 ${4 + i}　${group.label}服务盲区分布`,
        svg: figure,
        width: MAP_WIDTH,
        height: MAP_HEIGHT,
      },
    ]
  })
}

function groupMap(
  outlines: readonly MapRegion[],
  gaps: CoverageSection['gaps'],
  group: AgeGroup,
  mapName: string,
): string {
  // Gaps of different facility types overlap; the map shows each outline once, with the most left out.
  const features = [
    ...outlines.map((r) => ({
      type: 'Feature' as const,
      properties: { name: r.name },
      geometry: r.boundary,
    })),
    ...gaps.map((g, i) => ({ type: 'Feature' as const, properties: { name: `gap-${i}` }, geometry: g.geom })),
  ]
  echarts.registerMap(mapName, { type: 'FeatureCollection', features } as never)
  const max = Math.max(...gaps.map((g) => g[group]))
  const label = AGE_GROUPS.find((g) => g.key === group)?.label ?? group
  return renderSvg(
    {
      title: {
        text: `${label}服务盲区`,
        subtext: '底图：行政区划边界；色块：覆盖诊断的盲区（颜色越深，未覆盖人数越多）',
        left: 'center',
        textStyle: { fontSize: 15 },
      },
      visualMap: {
        min: 0,
        max: Math.max(1, Math.round(max)),
        left: 10,
        bottom: 10,
        text: ['未覆盖人数多', '少'],
        calculable: false,
        inRange: { color: ['#fee0d2', '#de2d26'] },
        seriesIndex: 0,
      },
      geo: {
        map: mapName,
        top: 70,
        bottom: 20,
        roam: false,
        silent: true,
        itemStyle: { areaColor: '#f3f3f3', borderColor: '#777', borderWidth: 1 },
        label: {
          show: true,
          fontSize: 11,
          color: '#333',
          formatter: (p: { name: string }) => (p.name.startsWith('gap-') ? '' : p.name),
        },
      },
      series: [
        {
          type: 'map',
          geoIndex: 0,
          data: gaps.map((g, i) => ({ name: `gap-${i}`, value: Math.round(g[group]) })),
        },
      ],
    },
    MAP_WIDTH,
    MAP_HEIGHT,
  )
}
