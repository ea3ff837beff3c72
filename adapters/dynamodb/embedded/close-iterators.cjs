// Works around an iterator leak in dynalite 4.0.0 (db/index.js, createKeyStream and
// createValueStream): its streams release their LevelDB iterator by calling
// `iterator.return()`, which abstract-level 3 iterators do not have (they have `close()`),
// so every Scan, Query and table deletion leaves an iterator open until the database
// closes. An open iterator pins the LevelDB version it started on: its table files are
// never deleted after compaction and stay memory-mapped, and the blocks it read stay
// allocated. With items of 256 KiB the engine's RSS grew by gigabytes
// (scripts/soak/repro-iterator-leak.cjs reproduces it in isolation).
//
// The fix is the method dynalite expects: `return()` closes the iterator. It is defined on
// the common base of abstract-level's iterators (entries, keys, values), resolved from
// dynalite's own dependency tree so it patches the copy dynalite uses.
const path = require('node:path');

/** Gives abstract-level's iterators a `return()` that closes them; returns what it did. */
function closeIteratorsOnReturn() {
  const dynaliteDir = path.dirname(require.resolve('dynalite'));
  const abstractLevel = require(require.resolve('abstract-level', { paths: [dynaliteDir] }));
  const base = Object.getPrototypeOf(abstractLevel.AbstractValueIterator.prototype);
  if (typeof base.close !== 'function') {
    // Another abstract-level: fail loudly rather than run with the leak unnoticed.
    throw new Error(
      'abstract-level iterators have no close(); the dynalite iterator workaround needs review',
    );
  }
  if (typeof base.return === 'function') return 'already-defined';
  Object.defineProperty(base, 'return', {
    configurable: true,
    writable: true,
    value: function closeIterator() {
      return this.close();
    },
  });
  return 'patched';
}

module.exports = { closeIteratorsOnReturn };
