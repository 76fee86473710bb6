// Coordinate re-basing (docs/accelerator.md, "Coordinate re-basing"): a sparse convolution is
// translation-equivariant, so a cloud whose coordinates lie outside an accelerator's signed
// coordWidth-bit range (a georeferenced scan near 8·10⁵ voxels) can run translated into it and be
// translated back. Each batch gets its own translation (kernel maps never cross batches), a
// multiple of the coarsest tensor stride of the layer — the output tensor stride of a conv, the
// input tensor stride otherwise — so every `floor(c / ts')` grid and every kernel offset stays
// aligned and the result is bit-identical. A batch that already fits is not moved; one that does
// not is centred in the range (aligned). Only a batch whose *extent* — input and output
// coordinates, i.e. including the conv's quantized outputs and a transposed layer's given outputs —
// cannot fit is refused, with an error that gives the extent, the width and the field to change.
// The host drivers then fall back to re-basing tile by tile (tiles.ts: the planner bounds each
// tile's extent, rebaseTiles gives each tile its own translation).
import { FieldError } from './errors.ts';
import type { Coord, LayerShape } from './types.ts';

/** Translation per batch index: coordinate seen by the hardware = original + shift. */
export interface Rebase {
  readonly coordWidth: number;
  /** Alignment of every shift (the coarsest tensor stride of the layer). */
  readonly align: number;
  /** Non-zero shifts only; a batch missing here is not moved. */
  readonly shifts: ReadonlyMap<number, readonly [number, number, number]>;
}

const AXES = ['x', 'y', 'z'] as const;

/** The stride every shift must be a multiple of (DESIGN.md §1: the coarsest tensor stride involved). */
export function rebaseAlignment(layer: Pick<LayerShape, 'type' | 'stride' | 'inTensorStride'>): number {
  return layer.type === 'conv' ? layer.inTensorStride * layer.stride : layer.inTensorStride;
}

const floorTo = (v: number, a: number) => Math.floor(v / a) * a;
const ceilTo = (v: number, a: number) => Math.ceil(v / a) * a;

/**
 * The aligned shift that moves [min, max] into [lo, hi]: 0 when it fits already, else the multiple of
 * `align` closest to centring it; undefined when no multiple of `align` fits.
 */
export function axisShift(min: number, max: number, lo: number, hi: number, align: number): number | undefined {
  if (min >= lo && max <= hi) return 0;
  const first = ceilTo(lo - min, align);
  const last = floorTo(hi - max, align);
  if (first > last) return undefined;
  const centre = Math.round((lo + hi - min - max) / 2 / align) * align;
  return Math.min(last, Math.max(first, centre)) + 0; // never −0
}

interface Box {
  min: [number, number, number];
  max: [number, number, number];
}

/**
 * Plan the translation of a layer's coordinates into the signed `coordWidth`-bit range.
 * `inCoords` are the input points, `outCoords` the given output points of a transposed layer;
 * a conv's output points (`floor(c / ts') · ts'`) are accounted for by the rule, not listed.
 * `what` names the accelerator in the error. Throws FieldError(`field`) when a batch's extent
 * cannot fit.
 */
export function planRebase(
  layer: Pick<LayerShape, 'type' | 'stride' | 'inTensorStride'>,
  inCoords: readonly Coord[],
  outCoords: readonly Coord[] | undefined,
  coordWidth: number,
  opts: { what?: string; field?: string } = {},
): Rebase {
  const align = rebaseAlignment(layer);
  const boxes = new Map<number, Box>();
  const add = (list: readonly Coord[], floorToOut: boolean) => {
    for (const p of list) {
      let bx = boxes.get(p[0]);
      if (bx === undefined) {
        bx = { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] };
        boxes.set(p[0], bx);
      }
      for (let a = 0; a < 3; a++) {
        const v = p[a + 1]!;
        const lowV = floorToOut ? floorTo(v, align) : v;
        if (lowV < bx.min[a]!) bx.min[a] = lowV;
        if (v > bx.max[a]!) bx.max[a] = v;
      }
    }
  };
  add(inCoords, layer.type === 'conv');
  if (outCoords) add(outCoords, false);
  const lo = -(2 ** (coordWidth - 1));
  const hi = 2 ** (coordWidth - 1) - 1;
  const shifts = new Map<number, [number, number, number]>();
  for (const [b, bx] of [...boxes].sort((u, v) => u[0] - v[0])) {
    const s: [number, number, number] = [0, 0, 0];
    for (let a = 0; a < 3; a++) {
      const t = axisShift(bx.min[a]!, bx.max[a]!, lo, hi, align);
      if (t === undefined) {
        const extent = bx.max[a]! - bx.min[a]!;
        let need = coordWidth + 1;
        while (need < 64 && axisShift(bx.min[a]!, bx.max[a]!, -(2 ** (need - 1)), 2 ** (need - 1) - 1, align) === undefined) need++;
        const reach = layer.type === 'submanifold' ? 'input coordinates' : layer.type === 'conv' ? 'input and downsampled output coordinates' : 'input and given output coordinates';
        throw new FieldError(
          opts.field ?? 'input.coords',
          `batch ${b}: ${AXES[a]} spans ${bx.min[a]} … ${bx.max[a]} (extent ${extent}, ${reach}${align > 1 ? `, shifts aligned to tensor stride ${align}` : ''}), ` +
            `which does not fit the ${coordWidth}-bit coordinates [${lo}, ${hi}]${opts.what ? ` of ${opts.what}` : ''} even re-based: ` +
            `raise mapping.coordWidth to ${need} or cut the cloud`,
        );
      }
      s[a] = t;
    }
    if (s[0] !== 0 || s[1] !== 0 || s[2] !== 0) shifts.set(b, s);
  }
  return { coordWidth, align, shifts };
}

export function isIdentity(r: Rebase): boolean {
  return r.shifts.size === 0;
}

/** Coordinates moved by the plan (`dir` 1: into the hardware range; −1: back). */
export function shiftCoords(coords: readonly Coord[], r: Rebase, dir: 1 | -1): Coord[] {
  if (r.shifts.size === 0) return coords as Coord[];
  return coords.map((p) => shiftCoord(p, r, dir));
}

export function shiftCoord(p: Coord, r: Rebase, dir: 1 | -1): Coord {
  const s = r.shifts.get(p[0]);
  return s === undefined ? p : [p[0], p[1] + dir * s[0], p[2] + dir * s[1], p[3] + dir * s[2]];
}
