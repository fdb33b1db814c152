/** The city chooser of the panel (docs/adr/0024): shown when the token's region (or the public) holds several cities. */
import type { CityChoice } from '../core/cities.ts'
import type { Lang, Translate } from '../core/i18n.ts'
import { el } from './dom.ts'

/** A heading and a select of the cities, or nothing for one city. */
export function cityChooser(
  cities: readonly CityChoice[],
  current: string,
  lang: Lang,
  t: Translate,
  onCity: (code: string) => void,
): HTMLElement[] {
  if (cities.length < 2) return []
  const select = el('select', { id: 'city-select', 'aria-label': t('cityChooser') })
  for (const city of cities) {
    const option = el('option', { value: city.code }, city.name[lang])
    option.selected = city.code === current
    select.append(option)
  }
  select.addEventListener('change', () => onCity(select.value))
  return [el('h2', {}, t('cityChooser')), select]
}
