#!/usr/bin/env python
# -*- coding:utf-8 -*-
# ################## 多进程 a process per connection ##################
# socketserver.ForkingTCPServer：每个连接 fork 一个子进程去通信。进程数随连接数增长，每个进程
# 有自己的解释器和 GIL，所以 CPU 密集的请求可以用满多个核。没有 fork 的系统（Windows）用不了它。
# ForkingTCPServer forks a child per connection: the process count grows with N; each child has
# its own interpreter and GIL, so CPU-bound work can use every core. Needs fork (not Windows).
#
# 协议 Framing: lines ending in b'\n', echoed back byte for byte (see blocking_server.py).
# Run: python3 forking_server.py [PORT] [--work-ms N]  → {"event": "listening", "port": N}
import argparse
import json
import os
import resource
import socketserver
import sys
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


if not hasattr(os, 'fork'):
    print(json.dumps({"event": "error", "code": "NO_FORK", "message": "this system has no fork()"}), flush=True)
    sys.exit(3)


class MyServer(socketserver.BaseRequestHandler):
    def handle(self):
        # 通信循环 talk loop, in this connection's own process
        while True:
            try:
                data = self.request.recv(65536)
                if not data:
                    break
                work(data)  # 子进程有自己的 GIL (this child's own GIL: children compute in parallel)
                self.request.sendall(data)
            except OSError:
                break


class Server(socketserver.ForkingTCPServer):
    allow_reuse_address = True
    request_queue_size = 1024
    # 默认最多 40 个子进程，满了就阻塞在 waitpid 上不再 accept (the default, 40, stops accepting
    # until a child exits): allow as many children as the lab asks for
    max_children = 4096


if __name__ == '__main__':
    port = args.port
    server = Server(('127.0.0.1', port), MyServer)
    print(json.dumps({"event": "listening", "port": server.server_address[1]}), flush=True)
    server.serve_forever()  # 父进程只 accept 和回收子进程 (the parent accepts and reaps children)
