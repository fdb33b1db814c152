import type { WalkGraph } from './walk-graph.ts'

/** Starting points of a multi-source search: node, initial distance and an integer label each. */
export interface DijkstraSources {
  node: ArrayLike<number>
  distM: ArrayLike<number>
  /** Propagated to every node the source reaches first; at equal distance the lower label wins. */
  label: ArrayLike<number>
}

/** Per-node result arrays; they belong to the workspace and are overwritten by its next search. */
export interface DijkstraResult {
  /** Shortest distance from the nearest source; Infinity when farther than the bound. */
  distM: Float64Array
  /** Label of that source; -1 when farther than the bound. */
  label: Int32Array
  settledCount: number
}

/**
 * Reusable buffers for {@link multiSourceDijkstra}, with its indexed binary heap keyed on (distance, label). A
 * search resets only the nodes the previous one touched, so bounded searches on a big graph cost what they
 * explore, not the graph size.
 */
export class DijkstraWorkspace {
  readonly distM: Float64Array
  readonly label: Int32Array
  /** Heap slot of a node; -1 never queued, -2 settled. */
  readonly heapPos: Int32Array
  readonly heap: Int32Array
  readonly touched: Int32Array
  touchedCount = 0
  /** Nodes queued in `heap`. */
  private size = 0

  constructor(readonly nodeCount: number) {
    this.distM = new Float64Array(nodeCount).fill(Number.POSITIVE_INFINITY)
    this.label = new Int32Array(nodeCount).fill(-1)
    this.heapPos = new Int32Array(nodeCount).fill(-1)
    this.heap = new Int32Array(nodeCount)
    this.touched = new Int32Array(nodeCount)
  }

  reset(): void {
    for (let k = 0; k < this.touchedCount; k++) {
      const n = this.touched[k]!
      this.distM[n] = Number.POSITIVE_INFINITY
      this.label[n] = -1
      this.heapPos[n] = -1
    }
    this.touchedCount = 0
    this.size = 0
  }

  /** Queues node `n` at distance `d` with label `l`, or lowers its key; a settled node stays as it is. */
  offer(n: number, d: number, l: number): void {
    const p = this.heapPos[n]!
    if (p === -2) return
    if (p === -1) {
      this.touched[this.touchedCount++] = n
      this.distM[n] = d
      this.label[n] = l
      this.heap[this.size] = n
      this.heapPos[n] = this.size
      this.size++
      this.siftUp(this.size - 1)
      return
    }
    if (d < this.distM[n]! || (d === this.distM[n]! && l < this.label[n]!)) {
      this.distM[n] = d
      this.label[n] = l
      this.siftUp(p)
    }
  }

  /** Settles and returns the queued node with the smallest (distance, label); -1 when none is left. */
  pop(): number {
    if (this.size === 0) return -1
    const { heap, heapPos } = this
    const u = heap[0]!
    this.size--
    if (this.size > 0) {
      heap[0] = heap[this.size]!
      heapPos[heap[0]!] = 0
      this.siftDown(0)
    }
    heapPos[u] = -2
    return u
  }

  private less(a: number, b: number): boolean {
    const da = this.distM[a]!
    const db = this.distM[b]!
    return da < db || (da === db && this.label[a]! < this.label[b]!)
  }

  private siftUp(start: number): void {
    const { heap, heapPos } = this
    let k = start
    const n = heap[k]!
    while (k > 0) {
      const parent = (k - 1) >> 1
      const p = heap[parent]!
      if (!this.less(n, p)) break
      heap[k] = p
      heapPos[p] = k
      k = parent
    }
    heap[k] = n
    heapPos[n] = k
  }

  private siftDown(start: number): void {
    const { heap, heapPos, size } = this
    let k = start
    const n = heap[k]!
    for (;;) {
      let child = 2 * k + 1
      if (child >= size) break
      if (child + 1 < size && this.less(heap[child + 1]!, heap[child]!)) child++
      const c = heap[child]!
      if (!this.less(c, n)) break
      heap[k] = c
      heapPos[c] = k
      k = child
    }
    heap[k] = n
    heapPos[n] = k
  }
}

/**
 * Multi-source Dijkstra bounded by `boundM`: one search gives every node its nearest source and the
 * distance to it, which is what "nearest facility of a type" needs, in O((V + E) log V) for all
 * facilities together. Nodes farther than the bound are never queued. The heap keys on
 * (distance, label), so equal distances resolve to the lower label exactly as a brute force
 * scanning sources in label order would.
 *
 * @throws RangeError when a source node is out of range or the workspace belongs to another size.
 */
export function multiSourceDijkstra(
  graph: WalkGraph,
  sources: DijkstraSources,
  boundM: number,
  workspace: DijkstraWorkspace = new DijkstraWorkspace(graph.nodeCount),
): DijkstraResult {
  if (workspace.nodeCount !== graph.nodeCount) throw new RangeError('workspace is for another graph')
  workspace.reset()
  for (let s = 0; s < sources.node.length; s++) {
    const n = sources.node[s]!
    if (!(n >= 0 && n < graph.nodeCount)) throw new RangeError(`source node ${n} out of range`)
  }
  for (let s = 0; s < sources.node.length; s++) {
    const d = sources.distM[s]!
    if (d <= boundM) workspace.offer(sources.node[s]!, d, sources.label[s]!)
  }
  const { distM: dist, label } = workspace
  const { adjStart, adjNode, adjLengthM } = graph
  let settled = 0
  for (let u = workspace.pop(); u >= 0; u = workspace.pop()) {
    settled++
    const du = dist[u]!
    const lu = label[u]!
    for (let k = adjStart[u]!, end = adjStart[u + 1]!; k < end; k++) {
      const nd = du + adjLengthM[k]!
      if (nd <= boundM) workspace.offer(adjNode[k]!, nd, lu)
    }
  }
  return { distM: dist, label, settledCount: settled }
}
