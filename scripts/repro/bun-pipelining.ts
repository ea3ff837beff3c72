/**
 * Minimal reproduction: Bun.serve with an async handler answers none of two HTTP/1.1 pipelined
 * requests; it calls the handler for the first, then closes the connection. (A synchronous
 * handler answers both.) `bun scripts/repro/bun-pipelining.ts` prints how many were answered.
 */
const server = Bun.serve({
  port: 0,
  fetch: async () => {
    await Bun.sleep(1);
    return new Response('ok');
  },
});
let received = '';
const socket = await Bun.connect({
  hostname: '127.0.0.1',
  port: server.port as number,
  socket: {
    data: (_, data) => {
      received += data;
    },
  },
});
socket.write('GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n');
await Bun.sleep(500);
console.log(
  `Bun ${Bun.version}: ${received.match(/HTTP\/1\.1 200/g)?.length ?? 0} of 2 pipelined requests answered`,
);
server.stop(true);
socket.end();
