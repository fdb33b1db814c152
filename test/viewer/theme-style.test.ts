import { type Cesium3DTileFeature, Color } from 'cesium'
import { describe, expect, it } from 'vitest'
import { METADATA_SCHEMA } from '../../jobs/tiles/metadata.ts'
import { THEMES } from '../../viewer/core/themes.ts'
import { styleOf } from '../../viewer/map/themeStyle.ts'

// The themes' conditions evaluated by Cesium's own styling language, on features as the tiles give them: a
// property the tiles hold as noData (a building with no known year or floors) reads as undefined.

function feature(properties: Record<string, unknown>): Cesium3DTileFeature {
  const getProperty = (name: string) => properties[name]
  return { getProperty, getPropertyInherited: getProperty } as unknown as Cesium3DTileFeature
}

describe('theme styles on features with and without data', () => {
  it('colours a building by its age, and one with no known year by the fallback instead of throwing', () => {
    const style = styleOf(THEMES.age)
    const colourOf = (yearBuilt: number | undefined) =>
      style.color.evaluateColor(feature({ id: 1, yearBuilt }), new Color()).toCssHexString()
    expect(colourOf(undefined)).toBe(Color.fromCssColorString(THEMES.age.fallbackColour).toCssHexString())
    const pre1949 = colourOf(1929)
    const recent = colourOf(2015)
    expect(pre1949).not.toBe(recent)
    expect(pre1949).toBe(Color.fromCssColorString(THEMES.age.classes[0]!.colour).toCssHexString())
    expect(recent).toBe(Color.fromCssColorString(THEMES.age.classes[3]!.colour).toCssHexString())
  })

  it('evaluates every tile-property theme on a feature with only the properties the tiles require', () => {
    const required = Object.entries(METADATA_SCHEMA.classes.building.properties)
      .filter(([, p]) => 'required' in p && p.required)
      .map(([name]) => [name, 0])
    expect(required.map(([name]) => name)).toContain('heightM')
    for (const theme of Object.values(THEMES)) {
      if (theme.byBuilding) continue
      const colour = styleOf(theme).color.evaluateColor(feature(Object.fromEntries(required)), new Color())
      expect(colour).toBeInstanceOf(Color)
    }
  })
})
