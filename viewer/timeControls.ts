/**
 * The time slider's part of the page: reads the region's timeline when the slider is switched on, moves the map
 * to the chosen year and plays the years through.
 */
import { fetchTimeline, type Timeline } from './core/timeline.ts'
import type { CityMap } from './map/types.ts'
import type { TimeHandlers, TimeView } from './ui/timeSlider.ts'

/** A step of play, and how many steps a play through the whole span takes at most. */
const PLAY_STEP_MS = 600
const PLAY_STEPS = 40

export class TimeControls {
  private view: TimeView = {
    on: false,
    span: null,
    year: new Date().getFullYear(),
    playing: false,
    status: null,
    withYear: 0,
    buildings: 0,
    open: 0,
    closed: 0,
  }
  private timeline: Timeline | null = null
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly render: () => void,
    private readonly regionCode: () => string,
  ) {}

  state(): TimeView {
    return this.view
  }

  handlers(map: CityMap | null): TimeHandlers {
    return {
      onTime: (on) => void (map && this.toggle(map, on)),
      onYear: (year, final) => {
        if (map) this.show(map, year)
        if (final) this.render()
      },
      onPlay: (playing) => {
        if (map) this.play(map, playing)
      },
    }
  }

  private async toggle(map: CityMap, on: boolean): Promise<void> {
    this.stop()
    if (!on) {
      map.tools.time.setYear(null)
      this.view = { ...this.view, on: false, status: null }
      this.render()
      return
    }
    this.view = { ...this.view, on: true, status: 'time.loading' }
    this.render()
    try {
      this.timeline = await fetchTimeline(this.regionCode())
    } catch (e) {
      console.warn('timeline unavailable:', e)
      this.view = { ...this.view, on: false, status: 'time.failed' }
      this.render()
      return
    }
    const { fromYear, toYear, buildingsWithYear, buildings } = this.timeline
    this.view = {
      ...this.view,
      span: { fromYear, toYear },
      withYear: buildingsWithYear,
      buildings,
      status: buildingsWithYear === 0 ? 'time.noYears' : null,
    }
    // It opens on today's city: moving the slider back shows it growing.
    this.show(map, toYear)
    this.render()
  }

  private show(map: CityMap, year: number): void {
    if (!this.timeline) return
    map.tools.time.setYear(year, this.timeline.problems)
    this.view = { ...this.view, year, ...map.tools.time.problemCounts() }
  }

  private play(map: CityMap, playing: boolean): void {
    this.stop()
    const span = this.view.span
    if (!playing || !span) {
      this.render()
      return
    }
    const step = Math.max(1, Math.ceil((span.toYear - span.fromYear) / PLAY_STEPS))
    // From the start when at the end, else on from the year shown.
    if (this.view.year >= span.toYear) this.show(map, span.fromYear)
    this.view.playing = true
    this.timer = setInterval(() => {
      const next = Math.min(span.toYear, this.view.year + step)
      this.show(map, next)
      if (next >= span.toYear) this.stop()
      this.render()
    }, PLAY_STEP_MS)
    this.render()
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.view.playing = false
  }
}
