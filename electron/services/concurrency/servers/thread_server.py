#!/usr/bin/env python
# -*- coding:utf-8 -*-
# ################## 多线程 threading: a thread per connection ##################
# 主线程只负责 accept，每来一个连接就开一个线程去通信。线程数（和内存）随连接数 N 增长。
# The main thread only accepts; each connection gets a thread of its own. Threads (and memory)
# grow with N; the GIL lets one thread run Python at a time, which is enough for I/O. With
# --work-ms N (N ms of CPU per request) the threads take turns: about one core, however many.
#
# 协议 Framing: lines ending in b'\n', echoed back byte for byte (see blocking_server.py).
# Run: python3 thread_server.py [PORT] [--work-ms N]  → {"event": "listening", "port": N}
import argparse
import json
import resource
import socket
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


# 每个线程的栈：默认 8 MiB 虚拟内存，256 KiB 足够回显 (a smaller stack: 10,000 threads fit)
threading.stack_size(256 * 1024)


def talk(conn):
    # 通信循环 talk loop, in this connection's own thread
    with conn:
        while True:
            try:
                data = conn.recv(65536)
                if not data:
                    break
                work(data)  # 拿着 GIL：其他线程此时不能执行 Python (holds the GIL: no other thread runs Python meanwhile)
                conn.sendall(data)
            except OSError:  # reset or broken pipe: the client went away
                break


port = args.port
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(1024)
print(json.dumps({"event": "listening", "port": s.getsockname()[1]}), flush=True)

while True:  # 链接循环 connection loop
    conn, addr = s.accept()
    # daemon=True: 主线程结束时不等这些线程 (the process can end without joining them)
    threading.Thread(target=talk, args=(conn,), daemon=True).start()
