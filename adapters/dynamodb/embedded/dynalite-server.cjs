// Runs the embedded DynamoDB (dynalite) under Node on loopback and prints one JSON line:
// {"port":N} once it serves (so callers never race for a free port), or
// {"error":"locked","owner":{...}} when another process holds the LevelDB directory.
// Usage: node dynalite-server.cjs [--path DIR] [--port N] [--owner-pid PID] [--stdin-lifeline]
//   --owner-pid       the process this engine serves (the local stack), recorded in DIR for
//                     the message a second stack on the same directory gets
//   --stdin-lifeline  exit (closing the store cleanly) when stdin ends, i.e. when the process
//                     that started it dies, even by SIGKILL, so no orphan keeps the lock
const fs = require('node:fs');
const path = require('node:path');
const { closeIteratorsOnReturn } = require('./close-iterators.cjs');

// Before dynalite loads: without it every Scan leaks a LevelDB iterator (see the module).
closeIteratorsOnReturn();

// dynalite builds its store inside dynalite() and keeps it private; the store's LevelDB is
// needed to learn whether it opened (it opens lazily and reports a held lock only as
// "Database is closed" on the first request). Same module instance as dynalite's ./db.
const dynaliteDb = require('dynalite/db');
let store;
const createStore = dynaliteDb.create;
dynaliteDb.create = (options) => {
  store = createStore(options);
  return store;
};
const dynalite = require('dynalite');

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = option('--path');
const port = Number(option('--port') ?? 0);
const ownerPid = Number(option('--owner-pid') ?? process.ppid);
/** Written next to LevelDB's own files (LevelDB leaves names it does not know alone). */
const OWNER_FILE = 'picus-owner.json';

const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

function readOwner() {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
  } catch {
    return {};
  }
}

async function main() {
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  if (dir) {
    try {
      await store.db.open();
    } catch (error) {
      if (error.cause?.code === 'LEVEL_LOCKED' || error.code === 'LEVEL_LOCKED') {
        say({ error: 'locked', owner: readOwner() });
        process.exit(3);
      }
      throw error;
    }
    fs.writeFileSync(
      path.join(dir, OWNER_FILE),
      JSON.stringify({ owner_pid: ownerPid, engine_pid: process.pid }),
    );
  }
  server.on('error', (error) => {
    process.stderr.write(`embedded DynamoDB failed to start: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => say({ port: server.address().port }));

  // Close the LevelDB store cleanly so data on disk survives a restart intact.
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    server.close(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, close);
  if (args.includes('--stdin-lifeline')) {
    process.stdin.on('end', close);
    process.stdin.on('error', close);
    process.stdin.resume();
  }
}

main().catch((error) => {
  process.stderr.write(`embedded DynamoDB failed to start: ${error.stack ?? error}\n`);
  process.exit(1);
});
