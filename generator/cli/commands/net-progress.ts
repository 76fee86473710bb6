// Node-by-node progress of the long network commands: one line redrawn in place on stderr when
// it is a terminal, nothing otherwise (the per-node table on stdout is the record).
export function nodeProgress(what: string): { onNode: (name: string, done: number, total: number) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    onNode(name, done, total) {
      if (!tty) return;
      process.stderr.write(`\r\x1b[K${what} ${done}/${total} ${name}`);
      shown = true;
    },
    end() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
