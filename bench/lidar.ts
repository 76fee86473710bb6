// A synthetic, deterministic LiDAR-like scan: a 64-beam spinning sensor at the origin, 1.8 m
// above a ground plane, seeing randomly placed cars (boxes), poles and trunks (cylinders) and a
// few building walls, with centimetre range noise; then voxelized (DESIGN.md §1: c = floor(p/v),
// batch 0, one point per voxel). Real scans share its structure: a dense 2-D ground surface whose
// ring spacing grows with range, and compact vertical objects.
import type { Coord } from '../generator/model/types.ts';

export interface ScanOptions {
  seed: number;
  beams: number;
  /** Azimuth steps per revolution. */
  azimuthSteps: number;
  /** Voxel edge, metres. */
  voxel: number;
  maxRange: number;
  objects: number;
}

export const DEFAULT_SCAN: ScanOptions = { seed: 1, beams: 64, azimuthSteps: 4096, voxel: 0.05, maxRange: 80, objects: 60 };

const SENSOR_HEIGHT = 1.8;

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Vertical box of half-extents (hx, hy), rotated by a yaw given as cos/sin about its centre. */
interface Box { kind: 'box'; cx: number; cy: number; hx: number; hy: number; z0: number; z1: number; cos: number; sin: number; reach: number }
interface Cylinder { kind: 'cylinder'; cx: number; cy: number; r: number; z0: number; z1: number; reach: number }
type Obstacle = Box | Cylinder;

function placeObstacles(rnd: () => number, count: number): Obstacle[] {
  const out: Obstacle[] = [];
  const ground = -SENSOR_HEIGHT;
  for (let i = 0; i < count; i++) {
    const kind = rnd(), yaw = rnd() * Math.PI, size = rnd();
    // A clear disc around the sensor, as on a road; walls stand farther back.
    const dist = kind < 0.85 ? 4 + rnd() * 46 : 30 + rnd() * 30, ang = rnd() * 2 * Math.PI;
    const cx = dist * Math.cos(ang), cy = dist * Math.sin(ang);
    const cos = Math.cos(yaw), sin = Math.sin(yaw);
    if (kind < 0.5) {
      out.push({ kind: 'box', cx, cy, hx: 2.25, hy: 0.9, z0: ground, z1: ground + 1.5, cos, sin, reach: Math.hypot(2.25, 0.9) });
    } else if (kind < 0.85) {
      const r = 0.1 + size * 0.3;
      out.push({ kind: 'cylinder', cx, cy, r, z0: ground, z1: ground + 3 + size * 5, reach: r });
    } else {
      const hx = 8 + size * 12;
      out.push({ kind: 'box', cx, cy, hx, hy: 0.3, z0: ground, z1: ground + 6, cos, sin, reach: Math.hypot(hx, 0.3) });
    }
  }
  return out;
}

/** Distance along the ray t·(dx, dy, dz) from the origin to `o`, or Infinity. */
function hit(o: Obstacle, dx: number, dy: number, dz: number): number {
  // Cull by the bounding circle: the horizontal ray passes farther than `reach` from the centre.
  const along = dx * o.cx + dy * o.cy;
  if (along < -o.reach || Math.abs(dx * o.cy - dy * o.cx) > o.reach * Math.hypot(dx, dy)) return Infinity;
  if (o.kind === 'cylinder') {
    // |t·d_xy - c|² = r² in the horizontal plane.
    const a = dx * dx + dy * dy, b = -2 * along, c = o.cx * o.cx + o.cy * o.cy - o.r * o.r;
    const disc = b * b - 4 * a * c;
    if (a === 0 || disc < 0) return Infinity;
    const t = (-b - Math.sqrt(disc)) / (2 * a);
    const z = t * dz;
    return t > 0 && z >= o.z0 && z <= o.z1 ? t : Infinity;
  }
  // Slab test in the box frame.
  const px = -o.cx * o.cos - o.cy * o.sin, py = o.cx * o.sin - o.cy * o.cos;
  const rx = dx * o.cos + dy * o.sin, ry = -dx * o.sin + dy * o.cos;
  span[0] = 0;
  span[1] = Infinity;
  if (!slab(px, rx, -o.hx, o.hx) || !slab(py, ry, -o.hy, o.hy) || !slab(0, dz, o.z0, o.z1)) return Infinity;
  return span[0] > 0 ? span[0] : Infinity;
}

/** Entry and exit distance of the current slab test. */
const span = new Float64Array(2);

function slab(p: number, d: number, lo: number, hi: number): boolean {
  if (d === 0) return p >= lo && p <= hi;
  const ta = (lo - p) / d, tb = (hi - p) / d;
  span[0] = Math.max(span[0], Math.min(ta, tb));
  span[1] = Math.min(span[1], Math.max(ta, tb));
  return span[0] <= span[1];
}

export interface Scan {
  /** Voxel coordinates, batch 0, unique, in generation order (not sorted). */
  coords: Coord[];
  rays: number;
  returns: number;
}

export function lidarScan(opts: ScanOptions = DEFAULT_SCAN): Scan {
  const rnd = mulberry32(opts.seed);
  const obstacles = placeObstacles(rnd, opts.objects);
  const seen = new Set<string>();
  const coords: Coord[] = [];
  let returns = 0;
  for (let beam = 0; beam < opts.beams; beam++) {
    // HDL-64-like vertical field of view: +2° … -24.9°.
    const elev = ((2 - (26.9 * beam) / (opts.beams - 1)) * Math.PI) / 180;
    const ce = Math.cos(elev), dz = Math.sin(elev);
    for (let s = 0; s < opts.azimuthSteps; s++) {
      const az = ((s + rnd() * 0.1) / opts.azimuthSteps) * 2 * Math.PI;
      const dx = ce * Math.cos(az), dy = ce * Math.sin(az);
      let t = dz < 0 ? SENSOR_HEIGHT / -dz : Infinity;
      for (const o of obstacles) t = Math.min(t, hit(o, dx, dy, dz));
      if (!(t <= opts.maxRange)) continue;
      returns++;
      // Roughly Gaussian range noise, σ ≈ 2 cm.
      const r = t + (rnd() + rnd() + rnd() - 1.5) * 0.04;
      const c: Coord = [0, Math.floor((r * dx) / opts.voxel), Math.floor((r * dy) / opts.voxel), Math.floor((r * dz) / opts.voxel)];
      const key = c.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      coords.push(c);
    }
  }
  return { coords, rays: opts.beams * opts.azimuthSteps, returns };
}

/** The strip x ∈ [x0, x1) m, y ∈ [y0, y1) m of the scan at `voxel` (bench/network-rtl.bench.ts: the road through the sensor, 5,678 points). */
export const NETWORK_STRIP = { voxel: 0.1, x: [-60, 60], y: [-2, 2] } as const;

export function lidarStrip(strip: { voxel: number; x: readonly [number, number]; y: readonly [number, number] } = NETWORK_STRIP): Coord[] {
  const v = (m: number) => Math.floor(m / strip.voxel);
  return lidarScan({ ...DEFAULT_SCAN, voxel: strip.voxel }).coords.filter((c) => c[1] >= v(strip.x[0]) && c[1] < v(strip.x[1]) && c[2] >= v(strip.y[0]) && c[2] < v(strip.y[1]));
}
