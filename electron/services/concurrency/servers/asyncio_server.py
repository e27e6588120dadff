#!/usr/bin/env python
# -*- coding:utf-8 -*-
# ################## asyncio: 协程 coroutines ##################
# 每个连接一个协程 (a coroutine per connection)：写法像一个连接一个线程，却只有一个线程。
# await 的地方把控制权交还给事件循环，事件循环底下仍是 selectors (epoll/kqueue)。
# Written like a thread per connection, run by one thread: each `await` hands control back to
# the event loop, which is selectors (epoll / kqueue) underneath, so it holds C10K too. CPU work
# (--work-ms N) has no await: while one request computes, every other coroutine waits.
#
# 协议 Framing: lines ending in b'\n', echoed back byte for byte (see blocking_server.py).
# Run: python3 asyncio_server.py [PORT] [--work-ms N]  → {"event": "listening", "port": N}
import argparse
import asyncio
import json
import resource
import time

# 每个连接占一个文件描述符：把软上限提高到硬上限 (raise RLIMIT_NOFILE's soft limit to the hard one)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
except (ValueError, OSError):
    pass

# 参数 Arguments: [PORT] [--work-ms N]
parser = argparse.ArgumentParser()
parser.add_argument('port', type=int, nargs='?', default=0, help='0: any free port')
parser.add_argument('--work-ms', type=int, default=0, help='CPU work per request, in ms (0: none)')
args = parser.parse_args()
WORK_MS = args.work_ms


def work(data):
    # 每个请求（每个 b'\n'）做 WORK_MS 毫秒的纯 Python 计算。这个循环一直拿着 GIL；time.sleep 会释放 GIL，就看不出区别了。
    # WORK_MS of CPU per request (per b'\n'): a pure-Python loop, which holds the GIL while it
    # runs (time.sleep would release it and show nothing). It is timed by this thread's own CPU
    # clock, so time spent waiting for the GIL is not counted as work done.
    for _ in range(data.count(b'\n') if WORK_MS else 0):
        end = time.thread_time() + WORK_MS / 1000
        while time.thread_time() < end:
            pass



async def talk(reader, writer):
    # 通信循环 talk loop: one coroutine per connection
    try:
        while True:
            data = await reader.read(65536)
            if not data:  # 客户端断开 the client closed
                break
            work(data)  # 没有 await：计算时事件循环停着，所有协程都在等 (no await: the loop, and every coroutine, waits)
            writer.write(data)
            await writer.drain()  # 发送缓冲区满时在这里等 (wait here while the send buffer is full)
    except OSError:
        pass
    finally:
        writer.close()


async def main():
    port = args.port
    server = await asyncio.start_server(talk, '127.0.0.1', port, backlog=4096)
    print(json.dumps({"event": "listening", "port": server.sockets[0].getsockname()[1]}), flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
