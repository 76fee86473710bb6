// Integer helpers shared by every derived-parameter module; templates never do arithmetic, so
// all of it happens through these.

/** Bits needed to index `n` distinct values (0 for n ≤ 1): ceil(log2(n)). */
export function clog2(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`clog2: expected a non-negative integer, got ${n}`);
  let bits = 0;
  while (2 ** bits < n) bits++;
  return bits;
}

/** Bits of an unsigned counter that must reach `max` inclusive. */
export function countWidth(max: number): number {
  return Math.max(1, clog2(max + 1));
}

/** Address width of a memory of `depth` words; never 0 so that port declarations stay legal. */
export function addrWidth(depth: number): number {
  return Math.max(1, clog2(depth));
}

export function isPow2(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/** A sized Verilog literal `<width>'d<value>`; a value that does not fit is a generator bug. */
export function lit(width: number, value: number | bigint): string {
  const v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(width)) throw new RangeError(`literal ${v} does not fit ${width} bits`);
  return `${width}'d${v.toString()}`;
}
