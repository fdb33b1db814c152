import { describe, expect, it } from 'vitest'
import { chineseNumber, normaliseText, numberScore, parseAddress } from '../../server/domain/addresses.ts'

const aliases = new Map([
  ['外滩', '中山东一路'],
  ['zhongshaneast2ndroad', '中山东二路'],
])

describe('normalising a standard address', () => {
  it.each([
    ['上海市黄浦区中山东一路20号', '上海市黄浦区中山东一路20号'],
    ['上海黄浦区中山东一路２０號', '上海市黄浦区中山东一路20号'],
    ['上海市 黄浦区 中山东1路 20 号', '上海市黄浦区中山东一路20号'],
    ['黄浦区外滩20号', '黄浦区中山东一路20号'],
    ['上海市黄浦区中山东二路505號号', '上海市黄浦区中山东二路505号'],
    ['上海市黄浦区Zhongshan East 2nd Road600号', '上海市黄浦区中山东二路600号'],
    ['上海市浦东新区张杨路628弄4～7号', '上海市浦东新区张杨路628弄4-7号'],
    ['浙江省杭州市西湖区灵隐街道龙井路1号3幢二单元502室', '浙江省杭州市西湖区灵隐街道龙井路1号3栋2单元502室'],
    ['杭州市西湖区龙井路1號3棟1單元1201', '杭州市西湖区龙井路1号3栋1单元1201室'],
  ])('%s → %s', (raw, normalised) => {
    expect(parseAddress(raw, aliases).normalised).toBe(normalised)
  })

  it('splits the hierarchy and fills a city-wide list’s missing city from the defaults', () => {
    expect(parseAddress('北京东路190号', aliases, { province: '上海市', city: '上海市' })).toMatchObject({
      province: '上海市',
      city: '上海市',
      district: null,
      road: '北京东路',
      number: '190',
    })
    expect(parseAddress('北京市东城区北京东路1号').city).toBe('北京市')
  })

  it('reads Chinese numerals and unifies the variants of 号, 栋 and 单元', () => {
    expect(chineseNumber('一百零五')).toBe(105)
    expect(chineseNumber('二十三')).toBe(23)
    expect(chineseNumber('十')).toBe(10)
    expect(normaliseText('三号楼 二單元')).toBe('3栋2单元')
  })

  it('scores house numbers: the same, inside a range on the same side, another lane', () => {
    expect(numberScore('20', '20')).toBe(1)
    expect(numberScore('161', '151-171')).toBe(0.8)
    expect(numberScore('160', '151-171')).toBe(0)
    expect(numberScore('126弄5', '126弄5-21')).toBe(0.8)
    expect(numberScore('128弄5', '126弄5-21')).toBe(0)
  })
})
