// ################## Node: Wirelab's own event-loop server ##################
// 一个线程、一个事件循环（libuv，底下是 epoll / kqueue），每个连接一组回调：和 selectors 同一个模型。
// One thread, one event loop (libuv over epoll / kqueue), callbacks per connection: the same
// model as selectors_server.py, written in JavaScript. Node raises its own RLIMIT_NOFILE soft
// limit to the hard limit at start-up, so nothing to do here for C10K.
//
// 协议 Framing: lines ending in "\n", echoed back byte for byte (see blocking_server.py).
// Run: node node_server.mjs [PORT]  → {"event": "listening", "port": N}
import net from 'node:net';

const port = Number(process.argv[2] ?? 0);
const server = net.createServer((socket) => {
  // pipe() echoes and handles backpressure: it pauses reading while the send buffer is full.
  socket.pipe(socket);
  socket.on('error', () => socket.destroy()); // ECONNRESET, EPIPE: the client went away
});
server.on('error', (e) => {
  console.log(JSON.stringify({ event: 'error', code: e.code ?? 'ERROR', message: e.message }));
  process.exit(3);
});
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  console.log(JSON.stringify({ event: 'listening', port: server.address().port }));
});
