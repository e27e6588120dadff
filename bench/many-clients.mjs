// N TCP clients of one server, for bench/receive.ts: node bench/many-clients.mjs PORT N
// Connects all (500 at a time), prints {"held":N}; on a line "burst" on stdin each client sends
// one line and the script prints {"burstMs":…} once every client has its echo back.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const [port, nArg] = process.argv.slice(2).map(Number);
const n = nArg ?? 10000;
const sockets = [];
let echoed = 0;
let t0 = 0;
function open() {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\n') && !s.done) {
        s.done = true;
        if (++echoed === n) console.log(JSON.stringify({ burstMs: performance.now() - t0 }));
      }
    });
  });
}
for (let i = 0; i < n; i += 500) sockets.push(...(await Promise.all(Array.from({ length: Math.min(500, n - i) }, open))));
console.log(JSON.stringify({ held: sockets.length }));
process.stdin.on('data', (d) => {
  if (!d.toString().includes('burst')) return;
  t0 = performance.now();
  for (const [i, s] of sockets.entries()) s.write(`hello from ${i}\n`);
});
