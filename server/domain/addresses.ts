/** Normalising and parsing Chinese standard addresses (一标三实) into their hierarchy (ADR 0020). */

export interface AddressParts {
  province: string | null
  city: string | null
  district: string | null
  /** 街道 / 镇 / 乡 */
  street: string | null
  road: string | null
  /** 门牌号, with the lane when there is one: `126弄5-21`. */
  number: string | null
  building: string | null
  unit: string | null
  room: string | null
  /** What is left once the parts are taken: a building's name, a floor. */
  rest: string | null
}

export interface ParsedAddress extends AddressParts {
  /** The parts joined again, the join key between lists. */
  normalised: string
}

/** Road aliases: an old, English or colloquial name → the standard road name. Keys are normalised text. */
export type RoadAliases = ReadonlyMap<string, string>

const MUNICIPALITIES = ['北京', '上海', '天津', '重庆']
const CN_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
}
const ORDINALS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九']

/**
 * The spelling variants one address list writes and another does not: full-width and half-width characters
 * (NFKC), spaces, 號/号, 幢/棟/座/号楼 → 栋, 單元 → 单元, dash variants, Chinese numerals before a
 * house-number suffix, a doubled 号.
 */
export function normaliseText(raw: string): string {
  let s = raw.normalize('NFKC').replace(/\s+/g, '')
  s = s
    .replace(/號/g, '号')
    .replace(/單元/g, '单元')
    .replace(/[幢棟座]|号楼/g, '栋')
    .replace(/門/g, '门')
  s = s.replace(/(\d)\s*[~～〜—–－−至到]\s*(?=\d)/g, '$1-')
  s = s.replace(/([零〇一二两三四五六七八九十百千]+)(?=栋|单元|室|号|弄|层|楼)/g, (m) =>
    String(chineseNumber(m)),
  )
  return s.replace(/号+/g, '号')
}

/** 一百零五 → 105, 二十三 → 23, 十 → 10 (what house and unit numbers use). */
export function chineseNumber(text: string): number {
  let total = 0
  let digit = 0
  for (const ch of text) {
    if (ch in CN_DIGITS) digit = CN_DIGITS[ch] as number
    else {
      const unit = ch === '十' ? 10 : ch === '百' ? 100 : 1000
      total += (digit || 1) * unit
      digit = 0
    }
  }
  return total + digit
}

/**
 * Splits an address into province / city / district / street / road / number / building / unit / room. A
 * missing 省 or 市 is filled in (上海黄浦区 → 上海市黄浦区) and `defaults` fill what the list leaves out
 * (a city-wide list rarely repeats the city); a road's alias becomes its standard name.
 */
export function parseAddress(
  raw: string,
  aliases: RoadAliases = new Map(),
  defaults: Partial<Pick<AddressParts, 'province' | 'city'>> = {},
): ParsedAddress {
  let s = normaliseText(raw)
  const take = (pattern: RegExp): string | null => {
    const match = pattern.exec(s)
    if (!match) return null
    s = s.slice(match[0].length)
    return match[1] ?? match[0]
  }
  const parts: AddressParts = {
    province: null,
    city: null,
    district: null,
    street: null,
    road: null,
    number: null,
    building: null,
    unit: null,
    room: null,
    rest: null,
  }
  // 北京东路 is a road, not Beijing: a municipality is followed by 市 or, within a few characters, a district.
  const municipality = MUNICIPALITIES.find((m) => new RegExp(`^${m}(?:市|(?=.{1,6}?(?:区|县)))`).test(s))
  if (municipality) {
    take(new RegExp(`^${municipality}市?`))
    parts.province = `${municipality}市`
    parts.city = `${municipality}市`
  } else {
    parts.province = take(/^(.{2,7}?(?:省|自治区))/)
    parts.city = take(/^(.{2,8}?(?:市|自治州|地区|盟))/)
  }
  parts.district = take(/^(.{1,8}?(?:新区|区|县|旗))(?!路|街|道)/)
  parts.street = take(/^(.{2,8}?(?:街道|镇|乡))(?=.)/)
  parts.road = road(take, aliases, s)
  parts.number = houseNumber(take)
  parts.building = take(/^([0-9A-Z]+)栋/)
  parts.unit = take(/^(\d+)单元/)
  parts.room = take(/^(\d+)(?:室|房|号房)?$/)
  parts.rest = s || null
  parts.province ??= defaults.province ?? null
  parts.city ??= defaults.city ?? null
  return { ...parts, normalised: joinParts(parts) }
}

function road(take: (p: RegExp) => string | null, aliases: RoadAliases, rest: string): string | null {
  // A colloquial name without a road suffix (外滩) is known only as an alias.
  const lower = rest.toLowerCase()
  const alias = [...aliases.keys()].filter((a) => lower.startsWith(a)).sort((a, b) => b.length - a.length)[0]
  if (alias) return aliases.get(take(new RegExp(`^(.{${alias.length}})`))?.toLowerCase() ?? '') ?? null
  const found =
    take(/^(.+?(?:大道|路|街|巷|道|里|坊))(?=\d|$)/) ??
    take(/^([A-Za-z][A-Za-z0-9().']*?(?:Road|Rd\.?|Street|St\.?|Avenue|Ave\.?|Lu)(?:\([NSEW]\))?)(?=\d|$)/i)
  if (!found) return null
  // 中山东1路 → 中山东一路: a road's ordinal is written in Chinese in the standard names.
  const named = found.replace(
    /([东西南北中])(\d)(?=路)/,
    (_m, side: string, n: string) => side + ORDINALS[Number(n)],
  )
  return aliases.get(named.toLowerCase()) ?? named
}

function houseNumber(take: (p: RegExp) => string | null): string | null {
  const lane = take(/^(\d+)弄/)
  const number = take(/^(\d+(?:-\d+)?[甲乙丙丁A-Z]?)(?:号|(?=\D|$))/)
  if (lane && number) return `${lane}弄${number}`
  return lane ? `${lane}弄` : number
}

function joinParts(p: AddressParts): string {
  return [
    p.province === p.city ? null : p.province,
    p.city,
    p.district,
    p.street,
    p.road,
    p.number && (p.number.endsWith('弄') ? p.number : `${p.number}号`),
    p.building && `${p.building}栋`,
    p.unit && `${p.unit}单元`,
    p.room && `${p.room}室`,
  ]
    .filter(Boolean)
    .join('')
}

/**
 * How well a house number of a list meets a building's: the same number 1, a number inside the building's range
 * (`161-175` holds 165) 0.8, the same lane with another number 0; a lane's numbers only meet in the same lane.
 */
export function numberScore(listed: string | null, building: string | null): number {
  if (!listed || !building) return 0
  if (listed === building) return 1
  const [listedLane, listedNo] = splitLane(listed)
  const [buildingLane, buildingNo] = splitLane(building)
  if (listedLane !== buildingLane) return 0
  const a = range(listedNo)
  const b = range(buildingNo)
  if (!a || !b) return 0
  if (a[0] === b[0] && a[1] === b[1]) return 1
  return a[0] >= b[0] && a[1] <= b[1] && (a[0] - b[0]) % 2 === 0 ? 0.8 : 0
}

function splitLane(number: string): [string, string] {
  const at = number.indexOf('弄')
  return at < 0 ? ['', number] : [number.slice(0, at), number.slice(at + 1)]
}

function range(number: string): [number, number] | null {
  const match = /^(\d+)(?:-(\d+))?/.exec(number)
  if (!match) return null
  return [Number(match[1]), Number(match[2] ?? match[1])]
}
