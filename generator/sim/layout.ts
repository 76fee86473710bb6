// Bit layouts of the co-simulation streams, and packing of beats to/from hex. A stream beat is a
// list of fields packed LSB first; a field holds `lanes` values of `laneWidth` bits each (lane 0
// lowest). The test wrapper template (templates/tb/sim_top.v.hbs) prints the same positions.

export interface FieldLayout {
  name: string;
  lsb: number;
  msb: number;
  width: number;
  lanes: number;
  laneWidth: number;
  signed: boolean;
}

export interface StreamLayout {
  name: string;
  dir: 'in' | 'out';
  width: number;
  msb: number;
  fields: FieldLayout[];
}

export interface FieldSpec {
  name: string;
  lanes?: number;
  laneWidth: number;
  signed?: boolean;
}

export function streamLayout(name: string, dir: 'in' | 'out', specs: FieldSpec[]): StreamLayout {
  const fields: FieldLayout[] = [];
  let lsb = 0;
  for (const f of specs) {
    const lanes = f.lanes ?? 1;
    const width = lanes * f.laneWidth;
    fields.push({ name: f.name, lsb, msb: lsb + width - 1, width, lanes, laneWidth: f.laneWidth, signed: f.signed ?? false });
    lsb += width;
  }
  return { name, dir, width: lsb, msb: lsb - 1, fields };
}

export function field(layout: StreamLayout, name: string): FieldLayout {
  const f = layout.fields.find((x) => x.name === name);
  if (!f) throw new Error(`stream ${layout.name} has no field ${name}`);
  return f;
}

/** Field values: one number/bigint per lane (or a single value for a one-lane field). */
export type BeatValues = Record<string, (number | bigint)[] | number | bigint>;

function toUnsigned(v: bigint, width: number, what: string, signed: boolean): bigint {
  const lo = signed ? -(1n << BigInt(width - 1)) : 0n;
  const hi = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  if (v < lo || v > hi) throw new RangeError(`${what}: ${v} does not fit ${signed ? 'signed' : 'unsigned'} ${width} bits`);
  return v < 0n ? v + (1n << BigInt(width)) : v;
}

/** Pack one beat into a bigint (fields absent from `values` are zero). */
export function packBeat(layout: StreamLayout, values: BeatValues): bigint {
  let out = 0n;
  for (const f of layout.fields) {
    const v = values[f.name];
    if (v === undefined) continue;
    const arr = Array.isArray(v) ? v : [v];
    if (arr.length !== f.lanes) throw new RangeError(`${layout.name}.${f.name}: expected ${f.lanes} lanes, got ${arr.length}`);
    for (let i = 0; i < f.lanes; i++) {
      const u = toUnsigned(BigInt(arr[i]!), f.laneWidth, `${layout.name}.${f.name}[${i}]`, f.signed);
      out |= u << BigInt(f.lsb + i * f.laneWidth);
    }
  }
  return out;
}

/** Unpack a beat: every field as an array of lanes (numbers; bigint when wider than 53 bits). */
export function unpackBeat(layout: StreamLayout, beat: bigint): Record<string, (number | bigint)[]> {
  const out: Record<string, (number | bigint)[]> = {};
  for (const f of layout.fields) {
    const lanes: (number | bigint)[] = [];
    const mask = (1n << BigInt(f.laneWidth)) - 1n;
    for (let i = 0; i < f.lanes; i++) {
      let u = (beat >> BigInt(f.lsb + i * f.laneWidth)) & mask;
      if (f.signed && u >> BigInt(f.laneWidth - 1) === 1n) u -= 1n << BigInt(f.laneWidth);
      lanes.push(f.laneWidth <= 53 ? Number(u) : u);
    }
    out[f.name] = lanes;
  }
  return out;
}

export function beatToHex(layout: StreamLayout, beat: bigint): string {
  return beat.toString(16).padStart(Math.ceil(layout.width / 4), '0');
}
