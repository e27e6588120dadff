// ################## Node: Wirelab's own event-loop server ##################
// 一个线程、一个事件循环（libuv，底下是 epoll / kqueue），每个连接一组回调：和 selectors 同一个模型。
// One thread, one event loop (libuv over epoll / kqueue), callbacks per connection: the same
// model as selectors_server.py, written in JavaScript. Node raises its own RLIMIT_NOFILE soft
// limit to the hard limit at start-up, so nothing to do here for C10K.
//
// 协议 Framing: lines ending in "\n", echoed back byte for byte (see blocking_server.py).
// Run: node node_server.mjs [PORT] [--work-ms N]  → {"event": "listening", "port": N}
import net from 'node:net';

const args = process.argv.slice(2);
const at = args.indexOf('--work-ms');
// 每个请求的 CPU 计算（毫秒），0 = 没有 (CPU work per request, in ms; 0: none)
const workMs = at >= 0 ? Number(args.splice(at, 2)[1]) : 0;
if (!Number.isInteger(workMs) || workMs < 0) {
  console.log(JSON.stringify({ event: 'error', code: 'USAGE', message: '--work-ms: a whole number of ms' }));
  process.exit(2);
}
const port = Number(args[0] ?? 0);

/**
 * workMs of CPU per request (per "\n" in the chunk): a busy loop on the event loop's one thread,
 * timed by the process's CPU clock. While it runs no other callback runs — every connection
 * waits for this one request, which is the event-loop lesson.
 */
function work(chunk) {
  let requests = 0;
  for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) requests++;
  for (let r = 0; r < requests; r++) {
    const start = process.cpuUsage();
    let used = 0;
    while (used < workMs * 1000) {
      const d = process.cpuUsage(start);
      used = d.user + d.system;
    }
  }
}

const server = net.createServer((socket) => {
  socket.on('error', () => socket.destroy()); // ECONNRESET, EPIPE: the client went away
  if (workMs === 0) {
    // pipe() echoes and handles backpressure: it pauses reading while the send buffer is full.
    socket.pipe(socket);
    return;
  }
  socket.on('data', (chunk) => {
    work(chunk);
    // 发送缓冲区满了就暂停读 (pause reading while the send buffer is full), as pipe() does
    if (!socket.write(chunk)) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
  });
  socket.on('end', () => socket.end());
});
server.on('error', (e) => {
  console.log(JSON.stringify({ event: 'error', code: e.code ?? 'ERROR', message: e.message }));
  process.exit(3);
});
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  console.log(JSON.stringify({ event: 'listening', port: server.address().port }));
});
