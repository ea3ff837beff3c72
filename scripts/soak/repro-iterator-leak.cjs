// Minimal reproduction of the embedded DynamoDB's memory growth (issue 15, item 13):
// dynalite 4.0.0 never closes the LevelDB iterator behind a Scan, so the table files those
// iterators pin are never deleted after compaction and stay memory-mapped.
//
//   node scripts/soak/repro-iterator-leak.cjs               dynalite as published
//   node scripts/soak/repro-iterator-leak.cjs --workaround  with adapters/dynamodb/embedded/close-iterators.cjs
//
// It runs dynalite in this process on a fresh LevelDB directory, puts 200 items of 200 KiB,
// runs 200 Scans (Limit 3, as a paged list does), overwrites every item (so compaction
// makes the old table files obsolete), then prints one JSON line: iterators opened and
// closed by the Scans, table files on disk against the live ones LevelDB's own log names,
// files mapped into this process, and RSS split into file-backed and anonymous.
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const workaround = process.argv.includes('--workaround');
if (workaround) require('../../adapters/dynamodb/embedded/close-iterators.cjs').closeIteratorsOnReturn();

// Count iterators through abstract-level, the copy dynalite uses.
const abstractLevel = require(
  require.resolve('abstract-level', { paths: [path.dirname(require.resolve('dynalite'))] }),
);
const iteratorBase = Object.getPrototypeOf(abstractLevel.AbstractValueIterator.prototype);
const counts = { opened: 0, closed: 0 };
const close = iteratorBase.close;
const closedOnce = new WeakSet();
iteratorBase.close = function countedClose() {
  if (!closedOnce.has(this)) {
    closedOnce.add(this);
    counts.closed++;
  }
  return close.call(this);
};
for (const method of ['iterator', 'keys', 'values']) {
  const open = abstractLevel.AbstractLevel.prototype[method];
  abstractLevel.AbstractLevel.prototype[method] = function countedOpen(...args) {
    counts.opened++;
    return open.apply(this, args);
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picus-iterator-leak-'));
const server = require('dynalite')({ path: dir, createTableMs: 0 });
const TABLE = 'repro_items';

function call(target, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        port: server.address().port,
        method: 'POST',
        headers: {
          'x-amz-target': `DynamoDB_20120810.${target}`,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-date': '20200101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => {
          const answer = JSON.parse(text);
          if (response.statusCode !== 200) reject(new Error(`${target}: ${text.slice(0, 200)}`));
          else resolve(answer);
        });
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

const put = (i) =>
  call('PutItem', {
    TableName: TABLE,
    Item: { k: { S: `k${i}` }, v: { S: crypto.randomBytes(150 * 1024).toString('base64') } },
  });

function kib(field, status) {
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024);
}

server.listen(0, '127.0.0.1', async () => {
  try {
    await call('CreateTable', {
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    for (let i = 0; i < 200; i++) await put(i);
    const before = { ...counts };
    for (let i = 0; i < 200; i++) await call('Scan', { TableName: TABLE, Limit: 3 });
    const scans = { opened: counts.opened - before.opened, closed: counts.closed - before.closed };
    for (let i = 0; i < 200; i++) await put(i);
    // Compactions run in LevelDB's background thread; let them finish.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const tableFiles = fs.readdirSync(dir).filter((name) => name.endsWith('.ldb'));
    const levels = [
      ...fs.readFileSync(path.join(dir, 'LOG'), 'utf8').matchAll(/compacted to: files\[ ([\d ]+) \]/g),
    ];
    const live = levels.length
      ? levels
          .at(-1)[1]
          .trim()
          .split(/\s+/)
          .reduce((sum, n) => sum + Number(n), 0)
      : null;
    const mapped = fs
      .readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .filter((line) => line.includes(dir) && line.includes('.ldb')).length;
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const diskBytes = tableFiles.reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
    process.stdout.write(
      `${JSON.stringify({
        workaround,
        scans: 200,
        scanIteratorsOpened: scans.opened,
        scanIteratorsClosed: scans.closed,
        tableFilesOnDisk: tableFiles.length,
        tableFilesLive: live,
        tableFilesMapped: mapped,
        tableFilesMiB: Math.round(diskBytes / 1048576),
        rssFileMiB: kib('RssFile', status),
        rssAnonMiB: kib('RssAnon', status),
      })}\n`,
    );
    server.close(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  } catch (error) {
    process.stderr.write(`${error.stack}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(1);
  }
});
