/** The splitter of the two-year comparison: a bar to drag over the map, each side labelled with its year. */
import type { Translate } from '../core/i18n.ts'
import { el } from './dom.ts'

/** Shows the splitter at the middle of `map` (a new one replaces it); `onMove` gets 0–1 of the width. */
export function showSplitter(
  map: HTMLElement,
  years: { left: number; right: number },
  t: Translate,
  onMove: (share: number) => void,
): void {
  hideSplitter()
  const bar = el(
    'div',
    { id: 'splitter', role: 'separator', 'aria-orientation': 'vertical' },
    el('span', { class: 'year left', id: 'compare-left' }, `${t('compare.left')} ${years.left}`),
    el('span', { class: 'year right', id: 'compare-right' }, `${t('compare.right')} ${years.right}`),
  )
  bar.style.left = '50%'
  bar.addEventListener('pointerdown', (down) => {
    bar.setPointerCapture(down.pointerId)
    const move = (e: PointerEvent) => {
      const rect = map.getBoundingClientRect()
      const share = Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width))
      bar.style.left = `${share * 100}%`
      onMove(share)
    }
    bar.addEventListener('pointermove', move)
    bar.addEventListener('pointerup', () => bar.removeEventListener('pointermove', move), { once: true })
  })
  map.append(bar)
}

export function hideSplitter(): void {
  document.getElementById('splitter')?.remove()
}
