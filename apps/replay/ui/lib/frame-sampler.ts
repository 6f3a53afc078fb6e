// One frame of values for the page: player.frameAt at a time, interpolated into one reused array,
// with the column indices the tower, the map and the readout read it by (looked up once per
// schema).
import type { Player } from '@tidewire/client/main';
import { readoutColumnsOf, type ReadoutColumns } from './car-readout.ts';
import { columnsOf, type Columns } from './leaderboard.ts';
import type { CarColumns } from './track-view.ts';

export class FrameSampler {
  private readonly player: Player;
  private values: Float64Array | null = null;
  /** The tower's columns (null before the first sample). */
  cols: Columns | null = null;
  /** The map's columns. */
  carCols: CarColumns | null = null;
  /** The readout's columns. */
  readoutCols: ReadoutColumns | null = null;

  constructor(player: Player) {
    this.player = player;
  }

  /** Interpolated values at `timeMs`, or null before the player has a schema or a frame. */
  sample(timeMs: number): Float64Array | null {
    const schema = this.player.schema;
    if (!schema) return null;
    const cells = schema.entities.length * schema.fields.length;
    if (!this.values || this.values.length !== cells) {
      this.values = new Float64Array(cells);
      const fi = (n: string) => this.player.fieldIndex(n);
      const F = schema.fields.length;
      this.cols = columnsOf(fi, F);
      this.carCols = { fields: F, x: fi('x'), y: fi('y'), status: fi('status') };
      this.readoutCols = readoutColumnsOf(fi, F);
    }
    return this.player.frameAt(timeMs, this.values);
  }
}
