// The generator's version (package.json), stamped into manifests, the VERSION register and the
// FuseSoC core name.
import pkg from '../../package.json' with { type: 'json' };

export const GENERATOR_NAME = 'sparseforge';
export const GENERATOR_VERSION: string = pkg.version;

export function parseVersion(v: string): { major: number; minor: number; patch: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  if (!m) throw new Error(`package.json version ${JSON.stringify(v)} is not semver`);
  return { major: Number(m[1]) % 256, minor: Number(m[2]) % 256, patch: Number(m[3]) % 256 };
}
