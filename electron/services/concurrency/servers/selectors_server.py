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
# Run: python3 selectors_server.py [PORT]  → {"event": "listening", "port": N}
import json
import resource
import selectors
import socket
import sys

# 每个连接占一个文件描述符：把软上限提高到硬上限 (raise RLIMIT_NOFILE's soft limit to the hard one)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
except (ValueError, OSError):
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


port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
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
