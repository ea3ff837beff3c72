// Runs the embedded DynamoDB (dynalite) under Node on loopback and prints one JSON
// line with the port it got, so callers never race for a free port.
// Usage: node dynalite-server.cjs [--path DIR] [--port N]
const { closeIteratorsOnReturn } = require('./close-iterators.cjs');

// Before dynalite loads: without it every Scan leaks a LevelDB iterator (see the module).
closeIteratorsOnReturn();
const dynalite = require('dynalite');

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const path = option('--path');
const port = Number(option('--port') ?? 0);

const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
server.on('error', (error) => {
  process.stderr.write(`embedded DynamoDB failed to start: ${error.message}\n`);
  process.exit(1);
});
// Close the LevelDB store cleanly so data on disk survives a restart intact.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
