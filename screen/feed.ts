/**
 * The live event feed: the latest changed problems, newest first, each with its title as text. Bounded twice, so
 * that a wall left on for days holds as many nodes and events on day three as in minute three: the buffer keeps
 * the last {@link FEED_BUFFER} events (enough to refill the list when the district changes), the list shows the
 * last {@link FEED_SHOWN} of those in the district chosen.
 */
import type { Lang } from '../viewer/core/i18n.ts'
import type { ProblemEvent } from './live.ts'

export const FEED_SHOWN = 12
export const FEED_BUFFER = 200

export interface FeedEntry {
  at: Date
  event: ProblemEvent
}

export class EventFeed {
  private readonly entries: FeedEntry[] = []
  /** Events received since the page opened (not bounded: a counter). */
  received = 0

  constructor(
    private readonly list: HTMLElement,
    private readonly label: (key: string) => string,
    private lang: Lang,
    /** The district chosen: only its problems are listed (its scope prefix; '' for all). */
    private prefix = '',
  ) {}

  add(event: ProblemEvent, at = new Date()): void {
    this.received++
    this.entries.push({ at, event })
    if (this.entries.length > FEED_BUFFER) this.entries.splice(0, this.entries.length - FEED_BUFFER)
    if (!event.regionCode.startsWith(this.prefix)) return
    this.list.querySelector('.empty')?.remove()
    this.list.prepend(this.item({ at, event }))
    while (this.list.childElementCount > FEED_SHOWN) this.list.lastElementChild?.remove()
  }

  /** Lists the buffered events of another district, or in another language. */
  show(prefix: string, lang: Lang, emptyText: string): void {
    this.prefix = prefix
    this.lang = lang
    const shown = this.entries
      .filter((e) => e.event.regionCode.startsWith(prefix))
      .slice(-FEED_SHOWN)
      .reverse()
    this.list.replaceChildren(...shown.map((entry) => this.item(entry)))
    if (shown.length === 0) {
      const empty = document.createElement('li')
      empty.className = 'empty'
      empty.textContent = emptyText
      this.list.append(empty)
    }
  }

  private item({ at, event }: FeedEntry): HTMLLIElement {
    const li = document.createElement('li')
    li.className = `severity-${event.severity}`
    li.dataset.problem = String(event.databaseId)
    const time = document.createElement('time')
    time.dateTime = at.toISOString()
    time.textContent = at.toLocaleTimeString(this.lang, { hour12: false })
    const state = document.createElement('span')
    state.className = `state state-${event.state}`
    state.textContent = this.label(`state.${event.state}`)
    const title = document.createElement('span')
    title.className = 'title'
    // Text, never HTML: titles come from residents' reports.
    title.textContent = (this.lang === 'en' ? event.titleEn : null) ?? event.titleZh
    li.append(time, state, title)
    return li
  }
}
