#!/usr/bin/env python
# -*- coding:utf-8 -*-
# ################## 阻塞模型 blocking: one client at a time ##################
# 一次只服务一个客户端：accept 之后进入通信循环，直到这个客户端断开，才回到链接循环 accept 下一个。
# One client at a time: after accept() the server stays in the talk loop until that client
# leaves; everyone else waits in the listen backlog, so their latency grows with the queue.
#
# 协议 Framing (all Wirelab models): a request is a line of bytes ending in b'\n'; the server
# sends back exactly the bytes it received (echo). The load client keeps one request in flight
# per connection, so an answer is complete when as many bytes as it sent have come back.
#
# Run: python3 blocking_server.py [PORT]   (PORT 0 or none: any free port)
# Prints one JSON line first: {"event": "listening", "port": N}
import json
import resource
import socket
import sys

# 每个连接占一个文件描述符：把软上限提高到硬上限 (raise RLIMIT_NOFILE's soft limit to the hard one)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
except (ValueError, OSError):
    pass  # hard 为 RLIM_INFINITY 等情况 (e.g. macOS): keep the soft limit

port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(1024)  # 等待队列 backlog: clients beyond the one being served queue here
print(json.dumps({"event": "listening", "port": s.getsockname()[1]}), flush=True)

while True:  # 链接循环 connection loop
    conn, addr = s.accept()
    while True:  # 通信循环 talk loop: only this client is served until it leaves
        try:
            data = conn.recv(65536)
            if not data:  # 客户端断开 the client closed
                break
            conn.sendall(data)
        except OSError:  # ConnectionResetError, BrokenPipeError: the client went away
            break
    conn.close()
