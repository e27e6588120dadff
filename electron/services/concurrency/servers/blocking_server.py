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
# Run: python3 blocking_server.py [PORT] [--work-ms N]   (PORT 0 or none: any free port)
# Prints one JSON line first: {"event": "listening", "port": N}
import argparse
import json
import resource
import socket
import time

# 每个连接占一个文件描述符：把软上限提高到硬上限 (raise RLIMIT_NOFILE's soft limit to the hard one)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
except (ValueError, OSError):
    pass  # hard 为 RLIM_INFINITY 等情况 (e.g. macOS): keep the soft limit

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


port = args.port
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
            work(data)  # 每个请求的 CPU 计算 (the --work-ms CPU work)
            conn.sendall(data)
        except OSError:  # ConnectionResetError, BrokenPipeError: the client went away
            break
    conn.close()
