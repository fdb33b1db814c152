/**
 * The command-centre big screen (`/screen/?token=…`, docs/adr/0022): a 1920×1080 stage scaled to the wall, the
 * 3D city of the token's region in the middle, panels of figures around it, a live feed of changed problems, and
 * a selector of the region's districts (or a province's cities) that flies the camera and filters every panel.
 */
import './style.css'
import { cityOf, type ViewScope, viewScope } from '../viewer/core/cities.ts'
import type { ExtentDeg } from '../viewer/core/extent.ts'
import type { Lang } from '../viewer/core/i18n.ts'
import { type CameraPreset, cameraPresets } from '../viewer/core/presets.ts'
import { createCesiumMap, OSM_ATTRIBUTION } from '../viewer/map/cesiumMap.ts'
import type { CityMap } from '../viewer/map/types.ts'
import { SCREEN_CHILDREN_QUERY, SCREEN_FIGURES_QUERY, SCREEN_REGION_QUERY, typedQuery } from './api.ts'
import { colourByGrade, showBaseMap } from './city.ts'
import { EventFeed } from './feed.ts'
import { createHandle } from './handle.ts'
import { type LinkStatus, openLiveLink } from './live.ts'
import { type Figures, Panels } from './panels.ts'
import { screenTranslator } from './strings.ts'

/** The stage's own size: every wall shows it scaled, whatever its pixels. */
const STAGE = { width: 1920, height: 1080 }
/** Wait after an event before the figures are read again: the events of that second cost one read. */
const REFRESH_AFTER_EVENT_MS = 1000
/** The figures are read again at least this often, events or not (a value filled in changes no problem). */
const REFRESH_EVERY_MS = 5 * 60_000
/** A level and the level of the regions the selector offers under it. */
const CHILD_LEVEL = { province: 'city', city: 'district' } as const

const params = new URLSearchParams(location.search)
const TOKEN = params.get('token') || null
const handle = createHandle()
window.__screen = handle
let lang: Lang = params.get('lang') === 'en' ? 'en' : 'zh-CN'
let t = screenTranslator(lang)

// Cesium's widget CSS is copied next to the bundle, not bundled: link it at run time.
document.head.append(
  Object.assign(document.createElement('link'), {
    rel: 'stylesheet',
    href: `${window.CESIUM_BASE_URL}Widgets/widgets.css`,
  }),
)

const stage = document.getElementById('stage')!
const header = document.getElementById('header')!
const panels = new Panels({
  left: document.getElementById('left')!,
  right: document.getElementById('right')!,
})
const feedList = document.createElement('ol')
const feedTitle = document.createElement('h2')
const feedSection = Object.assign(document.createElement('section'), { id: 'feed', className: 'panel' })
feedSection.append(feedTitle, feedList)
stage.append(feedSection)
const feed = new EventFeed(feedList, (key) => t(key), lang)
document.getElementById('attribution')!.textContent = OSM_ATTRIBUTION

/** Scales the stage to the window, centred, keeping 16:9. */
function fitToWall(): void {
  const scale = Math.min(innerWidth / STAGE.width, innerHeight / STAGE.height)
  const x = (innerWidth - STAGE.width * scale) / 2
  const y = (innerHeight - STAGE.height * scale) / 2
  stage.style.transform = `translate(${x}px, ${y}px) scale(${scale})`
}
addEventListener('resize', fitToWall)
fitToWall()

interface Region {
  code: string
  name: string
  nameEn: string | null
  level: string
}

const view = {
  region: null as Region | null,
  presets: [] as CameraPreset[],
  /** The preset chosen: `city` (the whole region) or a child's code. */
  selected: 'city',
  figures: null as Figures | null,
  onTime: new Map<string, number | null>(),
  live: 'connecting' as LinkStatus,
  /** The cities of the token's region and their tilesets (docs/adr/0024). */
  scope: null as ViewScope | null,
}

/** The code of the area shown: the token's region or the child chosen. */
const areaCode = () => (view.selected === 'city' ? view.region!.code : view.selected)
/** `310100` → `3101`: codes inside a region start with it (as the server's scope prefixes). */
const prefixOf = (code: string) => code.replace(/(00)+$/, '')

function renderHeader(map: CityMap | null): void {
  document.documentElement.lang = lang
  document.title = `CityCheck · ${t('title')}`
  const h1 = document.createElement('h1')
  h1.textContent = t('title')
  const sub = document.createElement('div')
  sub.className = 'subtitle'
  const campaign = view.figures?.campaign
  sub.textContent = [
    view.region ? regionName(view.region.code) : '',
    campaign ? `${t('campaign')}${lang === 'en' ? ': ' : '：'}${campaign.name}` : '',
  ]
    .filter(Boolean)
    .join(' · ')
  const selector = document.createElement('nav')
  selector.className = 'selector'
  for (const preset of view.presets) {
    const button = document.createElement('button')
    button.type = 'button'
    button.dataset.key = preset.key
    // The whole region: 全市 for a city's token, the province's or the district's name for theirs.
    const whole = view.region?.level === 'city' ? t('city') : regionName(view.region?.code ?? '')
    button.textContent = preset.key === 'city' ? whole : (preset.name?.[lang] ?? preset.key)
    button.classList.toggle('selected', preset.key === view.selected)
    button.addEventListener('click', () => select(map, preset))
    selector.append(button)
  }
  const status = document.createElement('span')
  status.className = `live live-${view.live}`
  status.textContent = t(`live.${view.live}`)
  const langButton = document.createElement('button')
  langButton.type = 'button'
  langButton.className = 'lang'
  langButton.textContent = t('language')
  langButton.addEventListener('click', () => {
    lang = lang === 'en' ? 'zh-CN' : 'en'
    t = screenTranslator(lang)
    map?.setBaseMapLang(lang)
    render(map)
  })
  const clock = document.createElement('time')
  clock.id = 'clock'
  header.replaceChildren(h1, sub, selector, status, clock, langButton)
  tick()
}

function tick(): void {
  const clock = document.getElementById('clock')
  if (clock) clock.textContent = new Date().toLocaleString(lang, { hour12: false })
}
setInterval(tick, 1000)

/** A region's name in the language shown: the region's own, a district's from the presets, else its code. */
function regionName(code: string): string {
  if (view.region?.code === code) return (lang === 'en' ? view.region.nameEn : null) ?? view.region.name
  return view.presets.find((p) => p.key === code)?.name?.[lang] ?? code
}

function render(map: CityMap | null): void {
  renderHeader(map)
  feedTitle.textContent = t('feed')
  feed.show(view.selected === 'city' ? '' : prefixOf(view.selected), lang, t('feedEmpty'))
  const f = view.figures
  if (f) {
    panels.draw(f, view.onTime, lang, t, regionName)
    handle.shown = {
      found: f.problemFunnel[0]?.problems ?? 0,
      funding: f.projectFunding.reduce((sum, s) => sum + s.amount, 0),
      areas: f.areas.map((a) => a.code),
    }
  }
  handle.chartsWithData = [...panels.withData]
}

function select(map: CityMap | null, preset: CameraPreset): void {
  view.selected = preset.key
  handle.selected = preset.key
  render(map)
  void refresh(map)
  void showArea(map, preset)
}

/**
 * Flies to the area chosen; a province's city is first given its own tileset (docs/adr/0024: tiles are cut per
 * city), so the camera arrives over its buildings.
 */
async function showArea(map: CityMap | null, preset: CameraPreset): Promise<void> {
  const city = view.scope && preset.key !== 'city' ? cityOf(view.scope, preset.key) : undefined
  if (map && city && city.tilesetUrl !== handle.tilesetUrl) {
    handle.tilesetUrl = null
    await map.showCity(city.tilesetUrl, view.scope!.headers)
    if (view.selected !== preset.key) return
    handle.tilesetUrl = city.tilesetUrl
  }
  map?.flyTo(preset.extent, 1.5, preset.key === 'city' ? 'oblique' : 'overhead')
}

/** The Shanghai calendar day, `YYYY-MM-DD`. */
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })

let refreshing: Promise<void> | null = null
let again = false

/** Reads the figures of the area shown and redraws; a call while one is under way runs once more after it. */
async function refresh(map: CityMap | null): Promise<void> {
  if (refreshing) {
    again = true
    return refreshing
  }
  refreshing = (async () => {
    do {
      again = false
      const code = areaCode()
      try {
        const to = today()
        const data = await typedQuery(
          SCREEN_FIGURES_QUERY,
          {
            regionCode: code,
            from: `${to.slice(0, 4)}-01-01`,
            to,
            groupBy: code.length > 6 ? 'street' : 'district',
          },
          TOKEN,
        )
        // The district may have changed while the answer was on its way: only the area still shown is drawn.
        if (code !== areaCode() || !data.screen) continue
        view.figures = data.screen
        view.onTime = new Map(data.problemKpis.map((k) => [k.key, k.onTimeRate]))
        handle.refreshes++
        handle.figuresFor = code
        render(map)
      } catch (error) {
        console.warn('screen figures:', error)
        handle.lastError = error instanceof Error ? error.message : String(error)
      }
    } while (again)
  })().finally(() => {
    refreshing = null
  })
  return refreshing
}

let pendingRefresh: ReturnType<typeof setTimeout> | undefined
/**
 * Reads the figures again a moment after an event; the events of that moment share the read. Not a debounce: a
 * steady stream of events (a busy day) must still redraw the panels, once per moment at most.
 */
function refreshSoon(map: CityMap | null): void {
  if (pendingRefresh !== undefined) return
  pendingRefresh = setTimeout(() => {
    pendingRefresh = undefined
    void refresh(map)
  }, REFRESH_AFTER_EVENT_MS)
}

/** The selector's presets: the whole region, then each child with a boundary or buildings. */
async function presetsOf(region: Region, tilesExtent: ExtentDeg): Promise<CameraPreset[]> {
  const level = CHILD_LEVEL[region.level as keyof typeof CHILD_LEVEL]
  if (!level) return [{ key: 'city', extent: tilesExtent, source: 'tiles' }]
  const data = await typedQuery(SCREEN_CHILDREN_QUERY, { code: region.code, level }, TOKEN)
  const extents = new Map<string, ExtentDeg>()
  for (const g of data.aggregate?.groups ?? []) {
    if (g.extent) {
      const { west, south, east, north } = g.extent
      extents.set(g.key, { westDeg: west, southDeg: south, eastDeg: east, northDeg: north })
    }
  }
  return cameraPresets(data.region?.children ?? [], extents, tilesExtent)
}

async function start(): Promise<void> {
  if (!TOKEN) throw new Error(t('signIn'))
  const who = await typedQuery(SCREEN_REGION_QUERY, {}, TOKEN)
  if (who.viewer.publicOnly || !who.viewer.region) throw new Error(t('signIn'))
  view.region = who.viewer.region
  handle.regionCode = view.region.code
  render(null)
  void refresh(null)
  // The token's city (or district), or a province's first city: each city has its own tileset.
  view.scope = await viewScope(TOKEN)
  const city = cityOf(view.scope, view.scope.opening)!
  handle.tilesetUrl = city.tilesetUrl
  const map = await createCesiumMap({
    container: document.getElementById('map')!,
    tilesetUrl: city.tilesetUrl,
    tilesetHeaders: view.scope.headers,
    lite: params.has('lite'),
  })
  handle.map = map
  handle.gradedBuildings = await colourByGrade(map, view.region.code, TOKEN)
  void showBaseMap(map, view.region.code, lang)
  view.presets = [{ key: 'city', extent: map.cityExtent, source: 'tiles' }]
  map.flyTo(map.cityExtent, 0)
  try {
    view.presets = await presetsOf(view.region, map.cityExtent)
    // A province opens on its first city, whose buildings are loaded; a city or district on itself.
    const opening = view.presets.find((p) => p.key === city.code) ?? view.presets[0]!
    map.flyTo(opening.extent, 0, opening.key === 'city' ? 'oblique' : 'overhead')
  } catch (error) {
    console.warn('district presets unavailable:', error)
  }
  handle.presets = view.presets.map((p) => p.key)
  render(map)
  openLiveLink({
    token: TOKEN,
    regionCode: view.region.code,
    onProblem: (event) => {
      handle.liveEvents++
      feed.add(event)
      refreshSoon(map)
    },
    onRunFinished: () => {
      refreshSoon(map)
      // Computed indicator values change the grades.
      void colourByGrade(map, view.region!.code, TOKEN).then((n) => (handle.gradedBuildings = n))
    },
    onStatus: (status) => {
      view.live = status
      handle.live = status
      renderHeader(map)
    },
    onResumed: () => {
      handle.resumed++
      void refresh(map)
    },
  })
  setInterval(() => void refresh(map), REFRESH_EVERY_MS)
  handle.ready = true
}

start().catch((error: unknown) => {
  handle.error = error instanceof Error ? error.message : String(error)
  const note = document.createElement('div')
  note.className = 'fatal'
  note.textContent = handle.error
  stage.append(note)
  console.error(error)
})
