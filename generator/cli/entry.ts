// The executable's entry point (bin/sparseforge): loads the CLI (main.ts exits the process itself)
// and turns a dependency that cannot be resolved into one line naming the setup command.
import { missingDependency } from './setup-hint.ts';

try {
  await import('./main.ts');
} catch (e) {
  const hint = missingDependency(e);
  if (hint === undefined) throw e;
  process.stderr.write(`sparseforge: ${hint}\n`);
  process.exit(2);
}
