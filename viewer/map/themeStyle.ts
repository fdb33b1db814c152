/** Themes from core as 3D Tiles styles of the city tileset. */
import { type Cesium3DTileFeature, Cesium3DTileStyle, Color } from 'cesium'
import { colourConditions, colourOfMembers, type Theme } from '../core/themes.ts'

/**
 * Tile-property themes as 3D Tiles style conditions; by-id themes (grades) as a colour looked up per feature: a
 * building by its id, a block massing (id 0) by the ids of its buildings (`members`), taking the worst class.
 */
export function styleOf(theme: Theme): Cesium3DTileStyle {
  const byBuilding = theme.byBuilding
  if (!byBuilding) return new Cesium3DTileStyle({ color: { conditions: colourConditions(theme) } })
  const colours = new Map<string, Color>()
  const parsed = (css: string) => {
    let colour = colours.get(css)
    if (!colour) {
      colour = Color.fromCssColorString(css)
      colours.set(css, colour)
    }
    return colour
  }
  const style = new Cesium3DTileStyle()
  // Cesium evaluates any object with `evaluateColor` as the colour expression (documented on Cesium3DTileStyle#color).
  const expression = {
    evaluateColor(feature: Cesium3DTileFeature, result?: Color): Color {
      const id = Number(feature.getProperty('id'))
      const members = id === 0 ? (feature.getProperty('members') as number[] | undefined) : undefined
      const css = members
        ? (colourOfMembers(theme, members) ?? theme.fallbackColour)
        : (byBuilding.get(id) ?? theme.fallbackColour)
      return Color.clone(parsed(css), result)
    },
  }
  style.color = expression as unknown as Cesium3DTileStyle['color']
  return style
}
