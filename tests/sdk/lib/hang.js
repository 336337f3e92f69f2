'use strict';
// A TCP server on 127.0.0.1 that accepts connections and never says a word.
// A MySQL client waits for the server greeting, so a job whose source points
// here stays in its precheck (Prechecking) until dtsd's read timeout: long
// enough to suspend, resume and stop it deterministically. close() drops
// every connection at once so dtsd's check threads end promptly.

const net = require('node:net');

async function startSilentServer() {
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', res);
  });
  return {
    port: server.address().port,
    connections: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((res) => server.close(res));
    },
  };
}

module.exports = { startSilentServer };
