#!/usr/bin/env python
# -*- coding:utf-8 -*-
# ################## 多线程 threading: a thread per connection ##################
# 主线程只负责 accept，每来一个连接就开一个线程去通信。线程数（和内存）随连接数 N 增长。
# The main thread only accepts; each connection gets a thread of its own. Threads (and memory)
# grow with N; the GIL lets one thread run Python at a time, which is enough for I/O.
#
# 协议 Framing: lines ending in b'\n', echoed back byte for byte (see blocking_server.py).
# Run: python3 thread_server.py [PORT]  → {"event": "listening", "port": N}
import json
import resource
import socket
import sys
import threading

# 每个连接占一个文件描述符：把软上限提高到硬上限 (raise RLIMIT_NOFILE's soft limit to the hard one)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
except (ValueError, OSError):
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
                conn.sendall(data)
            except OSError:  # reset or broken pipe: the client went away
                break


port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(1024)
print(json.dumps({"event": "listening", "port": s.getsockname()[1]}), flush=True)

while True:  # 链接循环 connection loop
    conn, addr = s.accept()
    # daemon=True: 主线程结束时不等这些线程 (the process can end without joining them)
    threading.Thread(target=talk, args=(conn,), daemon=True).start()
