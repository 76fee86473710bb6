// A setup mistake (no `npm ci` yet, or an incomplete node_modules) shows up as Node's module-
// resolution error; the user gets one line naming the fix instead of a stack trace.

/** The one-line message for a missing npm dependency, or undefined when `e` is something else. */
export function missingDependency(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  const pkg = /Cannot find (?:package|module) '([^']+)'/.exec(msg)?.[1];
  // A missing file of the project itself is a bug, not a setup mistake.
  if (pkg === undefined || pkg.startsWith('.') || pkg.startsWith('/')) return undefined;
  return `the npm dependency '${pkg}' is not installed: run 'bash scripts/setup.sh' (README, Quick start)`;
}
