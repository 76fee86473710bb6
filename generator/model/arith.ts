// Integer arithmetic of the datapath (DESIGN.md §1), parameterised by bit widths. Values are
// JS numbers holding integers; everything here is exact as long as inputs are safe integers.

const EXACT = 2 ** 53;

function checkWidth(width: number, max: number): void {
  if (!Number.isInteger(width) || width < 1 || width > max) throw new RangeError(`width ${width} outside [1, ${max}]`);
}

/** Range of a `width`-bit two's-complement value. */
export function signedRange(width: number): { lo: number; hi: number } {
  checkWidth(width, 53);
  return { lo: -(2 ** (width - 1)), hi: 2 ** (width - 1) - 1 };
}

export function fitsSigned(v: number, width: number): boolean {
  checkWidth(width, 53);
  const half = 2 ** (width - 1);
  return Number.isInteger(v) && v >= -half && v < half;
}

/** `v` reduced to `width`-bit two's complement, as a register of that width would hold it. */
export function wrapSigned(v: number, width: number): number {
  checkWidth(width, 53);
  if (!Number.isSafeInteger(v)) throw new RangeError(`${v} is not a safe integer`);
  const full = 2 ** width;
  // Division by a power of two, floor and the product are all exact below 2^53.
  let r = v - Math.floor(v / full) * full;
  if (r >= full / 2) r -= full;
  return r;
}

/**
 * `clamp(floor((acc·m + r) / 2^sh), lo, hi)` with `r = 2^(sh-1)` (0 when sh = 0),
 * `lo = relu ? 0 : -2^(outWidth-1)`, `hi = 2^(outWidth-1) - 1`, computed exactly.
 */
export function requantize(acc: number, m: number, sh: number, relu: boolean, outWidth: number): number {
  checkWidth(outWidth, 53);
  if (!Number.isSafeInteger(acc) || !Number.isSafeInteger(m) || m < 0) throw new RangeError(`bad requantize operands ${acc}, ${m}`);
  if (!Number.isInteger(sh) || sh < 0 || sh > 63) throw new RangeError(`shift ${sh} outside [0, 63]`);
  const hi = 2 ** (outWidth - 1) - 1;
  const lo = relu ? 0 : -(hi + 1);
  const p = acc * m;
  let y: number;
  const r = sh > 0 ? 2 ** (sh - 1) : 0;
  // A float64 product below 2^53 is exact, and so are the rounding add and the power-of-two
  // division when their operands stay below 2^53; everything else goes through BigInt.
  if (Math.abs(p) + r < EXACT && sh <= 52) {
    y = Math.floor((p + r) / 2 ** sh);
  } else {
    const big = (BigInt(acc) * BigInt(m) + (sh > 0 ? 1n << BigInt(sh - 1) : 0n)) >> BigInt(sh);
    // Compare as BigInt: the quotient itself may exceed 2^53.
    return big < BigInt(lo) ? lo : big > BigInt(hi) ? hi : Number(big);
  }
  return y < lo ? lo : y > hi ? hi : y;
}
