#!/usr/bin/env python
# -*- coding:utf-8 -*-
# ################## selectors: epoll / kqueue ##################
# selectors.DefaultSelector 在 Linux 上是 epoll，在 macOS/BSD 上是 kqueue：没有 select 的 1024 上限，
# 每次只返回就绪的连接，连接再多也不用每轮遍历全部 —— 这就是解决 C10K 的办法。
# DefaultSelector is epoll on Linux and kqueue on macOS/BSD: no FD_SETSIZE limit, and each wait
# returns only the ready sockets, so 10,000 idle connections cost nothing per round (C10K).
#
# 每个文件对象注册时带一个回调 (key.data)：监听套接字是 accept，连接是 read（发不完时是 write）。
# Each registered socket carries its callback in key.data: accept, read, or write when the
# socket's send buffer was full. (The notes' version crashed under a few clients: here every
# socket is non-blocking and unsent bytes wait for EVENT_WRITE.)
#
# 协议 Framing: lines ending in b'\n', echoed back byte for byte (see blocking_server.py).
# Run: python3 selectors_server.py [PORT] [--work-ms N]  → {"event": "listening", "port": N}
import argparse
import json
import resource
import selectors
import socket
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


sel = selectors.DefaultSelector()
pending = {}  # 还没发完的数据 bytes not yet sent, per connection


def accept(sock, mask):
    # 一次把排队的连接都接进来 (accept everything queued)
    while True:
        try:
            conn, addr = sock.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # EMFILE: out of descriptors; the rest stay queued
            return
        conn.setblocking(False)
        sel.register(conn, selectors.EVENT_READ, read)


def close(conn):
    pending.pop(conn, None)
    sel.unregister(conn)
    conn.close()


def read(conn, mask):
    try:
        data = conn.recv(65536)
    except BlockingIOError:
        return
    except OSError:
        data = b''
    if not data:  # 客户端断开 the client closed
        close(conn)
        return
    work(data)  # 计算时所有连接都在等 (every connection waits while one request computes)
    send(conn, data)


def send(conn, data):
    try:
        n = conn.send(data)
    except BlockingIOError:
        n = 0
    except OSError:
        close(conn)
        return
    if n < len(data):
        # 发送缓冲区满了：等可写再发 (the send buffer is full: wait until writable)
        pending[conn] = data[n:]
        sel.modify(conn, selectors.EVENT_WRITE, write)


def write(conn, mask):
    data = pending.pop(conn)
    sel.modify(conn, selectors.EVENT_READ, read)
    send(conn, data)


port = args.port
s = socket.socket()
s.setblocking(False)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(4096)
sel.register(s, selectors.EVENT_READ, accept)
print(json.dumps({"event": "listening", "port": s.getsockname()[1]}), flush=True)

while True:
    events = sel.select()
    for key, mask in events:
        callback = key.data
        callback(key.fileobj, mask)
