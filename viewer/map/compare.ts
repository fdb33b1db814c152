/**
 * Two years side by side: a second copy of the city tileset styled with the right-hand year's theme, the two
 * split by Cesium's `SplitDirection` at the scene's split position (0–1 of the canvas width).
 */
import { type Scene, SplitDirection } from 'cesium'
import type { Theme } from '../core/themes.ts'
import type { CityTileset } from './cityTileset.ts'
import { styleOf } from './themeStyle.ts'

export class Compare {
  private right: CityTileset | null = null
  private sides: { left: Theme; right: Theme } | null = null

  constructor(
    private readonly scene: Scene,
    private readonly left: CityTileset,
  ) {}

  get active(): boolean {
    return this.right !== null
  }

  /** Shows `leftTheme` left of the split and `rightTheme` right of it; resolves once both are styled. */
  async start(leftTheme: Theme, rightTheme: Theme): Promise<void> {
    this.sides = { left: leftTheme, right: rightTheme }
    this.right ??= await this.left.copy()
    this.left.setStyle(styleOf(leftTheme))
    this.right.setStyle(styleOf(rightTheme))
    this.left.decorate('split', (t) => (t.splitDirection = SplitDirection.LEFT))
    this.right.decorate('split', (t) => (t.splitDirection = SplitDirection.RIGHT))
    this.scene.splitPosition = 0.5
  }

  /** After the left tileset changed city: the right half follows it, when a comparison is on. */
  async follow(): Promise<void> {
    const sides = this.sides
    if (!this.right || !sides) return
    this.scene.primitives.remove(this.right.tileset)
    this.right = null
    await this.start(sides.left, sides.right)
  }

  /** Back to one city; its theme is the caller's to set again. */
  stop(): void {
    this.sides = null
    if (!this.right) return
    this.scene.primitives.remove(this.right.tileset)
    this.right = null
    this.left.decorate('split', (t) => (t.splitDirection = SplitDirection.NONE))
  }

  setPosition(share: number): void {
    this.scene.splitPosition = Math.min(1, Math.max(0, share))
  }

  /** Both halves have loaded what the view needs. */
  tilesLoaded(): boolean {
    return !this.right || (this.right.status.tilesLoaded && this.right.tileset.tilesLoaded)
  }
}
