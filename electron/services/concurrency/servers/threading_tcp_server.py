#!/usr/bin/env python
# -*- coding:utf-8 -*-
# ################## socketserver.ThreadingTCPServer ##################
# 与 thread_server.py 同一个模型（每个连接一个线程），由标准库 socketserver 写好了链接循环：
# ThreadingTCPServer 继承 ThreadingMixIn 和 TCPServer；serve_forever 内部用 IO 多路复用等待
# 新连接，process_request 为每个连接开线程，最后实例化 MyServer 并执行 handle。
# The same model as thread_server.py, with the standard library's loop: ThreadingMixIn starts a
# thread per request and calls our handle() in it.
#
# 协议 Framing: lines ending in b'\n', echoed back byte for byte (see blocking_server.py).
# Run: python3 threading_tcp_server.py [PORT] [--work-ms N]  → {"event": "listening", "port": N}
import argparse
import json
import resource
import socketserver
import threading
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

threading.stack_size(256 * 1024)


class MyServer(socketserver.BaseRequestHandler):
    def handle(self):
        # 通信循环 talk loop: self.request is this connection's socket
        while True:
            try:
                data = self.request.recv(65536)
                if not data:
                    break
                work(data)  # 拿着 GIL (holds the GIL: one thread computes at a time)
                self.request.sendall(data)
            except OSError:
                break


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True  # 不等线程结束 (do not join handler threads on exit)
    request_queue_size = 1024  # listen backlog; socketserver's default is 5


if __name__ == '__main__':
    port = args.port
    server = Server(('127.0.0.1', port), MyServer)
    print(json.dumps({"event": "listening", "port": server.server_address[1]}), flush=True)
    server.serve_forever()  # 链接循环，循环提供服务
