// Checks a layer case's numeric data and packs it into the typed arrays the hot loop reads.
import { FieldError } from './errors.ts';
import type { Requant } from './types.ts';

function requireArray(v: unknown, length: number, field: string, what: string): asserts v is unknown[] {
  if (!Array.isArray(v)) throw new FieldError(field, `must be an array of ${length} ${what}`);
  if (v.length !== length) throw new FieldError(field, `must have ${length} ${what} (got ${v.length})`);
}

function rangeRule(width: number): string {
  return `must be an integer in [-2^${width - 1}, 2^${width - 1}-1] (${width}-bit signed)`;
}

/** `[row][channel]` rows in the order `order` gives (row r of the result is `rows[order[r]]`). */
export function packFeatures(rows: unknown, order: Int32Array, channels: number, width: number, field: string): Int32Array {
  requireArray(rows, order.length, field, 'feature rows (one per coordinate)');
  const half = 2 ** (width - 1);
  const out = new Int32Array(order.length * channels);
  for (let r = 0; r < order.length; r++) {
    const src = order[r];
    const row = rows[src];
    requireArray(row, channels, `${field}[${src}]`, 'channels (layer.inChannels)');
    for (let c = 0; c < channels; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -half || v >= half) {
        throw new FieldError(`${field}[${src}][${c}]`, `${rangeRule(width)}, got ${String(v)}`);
      }
      out[r * channels + c] = v;
    }
  }
  return out;
}

/** `weights[i][cin][cout]` flattened with cout fastest, so one (i, cin) row is contiguous. */
export function packWeights(w: unknown, volume: number, cin: number, cout: number, width: number): Int32Array {
  requireArray(w, volume, 'weights', 'kernel offsets (kernelVolume)');
  const half = 2 ** (width - 1);
  const out = new Int32Array(volume * cin * cout);
  for (let i = 0; i < volume; i++) {
    const wi = w[i];
    requireArray(wi, cin, `weights[${i}]`, 'rows (layer.inChannels)');
    for (let c = 0; c < cin; c++) {
      const row = wi[c];
      requireArray(row, cout, `weights[${i}][${c}]`, 'entries (layer.outChannels)');
      const base = (i * cin + c) * cout;
      for (let o = 0; o < cout; o++) {
        const v = row[o];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < -half || v >= half) {
          throw new FieldError(`weights[${i}][${c}][${o}]`, `${rangeRule(width)}, got ${String(v)}`);
        }
        out[base + o] = v;
      }
    }
  }
  return out;
}

export function packBias(bias: unknown, cout: number, accWidth: number): Float64Array | null {
  if (bias === undefined) return null;
  requireArray(bias, cout, 'bias', 'entries (layer.outChannels)');
  const half = 2 ** (accWidth - 1);
  return Float64Array.from(bias, (v, o) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -half || v >= half) {
      throw new FieldError(`bias[${o}]`, `${rangeRule(accWidth)}, got ${String(v)}`);
    }
    return v;
  });
}

export interface PackedRequant {
  multiplier: Float64Array;
  shift: Int32Array;
  relu: boolean;
}

export function packRequant(rq: Requant | undefined, cout: number): PackedRequant | null {
  if (rq === undefined) return null;
  if (typeof rq !== 'object' || rq === null) throw new FieldError('requant', 'must be an object');
  requireArray(rq.multiplier, cout, 'requant.multiplier', 'entries (layer.outChannels)');
  requireArray(rq.shift, cout, 'requant.shift', 'entries (layer.outChannels)');
  if (typeof rq.relu !== 'boolean') throw new FieldError('requant.relu', 'must be true or false');
  const integerIn = (v: unknown, lo: number, hi: number, field: string, rule: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new FieldError(field, `${rule}, got ${String(v)}`);
    return v;
  };
  return {
    multiplier: Float64Array.from(rq.multiplier, (v, o) =>
      integerIn(v, 0, 2 ** 31 - 1, `requant.multiplier[${o}]`, 'must be an integer in [0, 2^31-1]')),
    shift: Int32Array.from(rq.shift, (v, o) => integerIn(v, 0, 63, `requant.shift[${o}]`, 'must be an integer in [0, 63]')),
    relu: rq.relu,
  };
}
