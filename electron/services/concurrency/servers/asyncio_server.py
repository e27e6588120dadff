#!/usr/bin/env python
# -*- coding:utf-8 -*-
# ################## asyncio: 协程 coroutines ##################
# 每个连接一个协程 (a coroutine per connection)：写法像一个连接一个线程，却只有一个线程。
# await 的地方把控制权交还给事件循环，事件循环底下仍是 selectors (epoll/kqueue)。
# Written like a thread per connection, run by one thread: each `await` hands control back to
# the event loop, which is selectors (epoll / kqueue) underneath, so it holds C10K too.
#
# 协议 Framing: lines ending in b'\n', echoed back byte for byte (see blocking_server.py).
# Run: python3 asyncio_server.py [PORT]  → {"event": "listening", "port": N}
import asyncio
import json
import resource
import sys

# 每个连接占一个文件描述符：把软上限提高到硬上限 (raise RLIMIT_NOFILE's soft limit to the hard one)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
except (ValueError, OSError):
    pass


async def talk(reader, writer):
    # 通信循环 talk loop: one coroutine per connection
    try:
        while True:
            data = await reader.read(65536)
            if not data:  # 客户端断开 the client closed
                break
            writer.write(data)
            await writer.drain()  # 发送缓冲区满时在这里等 (wait here while the send buffer is full)
    except OSError:
        pass
    finally:
        writer.close()


async def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = await asyncio.start_server(talk, '127.0.0.1', port, backlog=4096)
    print(json.dumps({"event": "listening", "port": server.sockets[0].getsockname()[1]}), flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
