#!/usr/bin/env python
# -*- coding:utf-8 -*-
# ################## select: IO 多路复用 multiplexing with select() ##################
# 一个线程用 select 同时监控所有连接：哪个 IO 就绪就处理哪个。
# 【1】套接字设为非阻塞 【2】提交给 select 监控 【3】阻塞等待 【4】遍历就绪列表 【5】处理 【6】继续循环。
# One thread watches every socket with select(); it handles whichever is ready.
#
# select 的上限 FD_SETSIZE (1024)：fd_set 是固定大小的位图，文件描述符 ≥ 1024 放不进去，Python 的
# select.select 会抛 ValueError("filedescriptor out of range in select()")。本服务器把它报告为一个
# 有名字的事件 {"event":"error","code":"FD_SETSIZE",...}，关掉放不下的连接，继续服务其余的。
# select()'s fd_set is a fixed 1024-bit map (select(2), FD_SETSIZE): descriptors ≥ 1024 do not
# fit. This server reports that as a named event, closes the connections that do not fit and
# keeps serving the rest. (The notes' version crashed on BlockingIOError / BrokenPipeError
# under a few clients: here every socket is non-blocking and unsent bytes wait for POLLOUT.)
#
# 协议 Framing: lines ending in b'\n', echoed back byte for byte (see blocking_server.py).
# Run: python3 select_server.py [PORT] [--work-ms N]  → {"event": "listening", "port": N}
import argparse
import json
import resource
import select
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


FD_SETSIZE = 1024

port = args.port
s = socket.socket()
s.setblocking(False)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(1024)
print(json.dumps({"event": "listening", "port": s.getsockname()[1]}), flush=True)

rlist = [s]  # 读 IO 列表 sockets to read from
pending = {}  # 还没发完的数据 bytes not yet sent, per socket (those go in the write list)
reported = False


def drop(conn):
    if conn in rlist:
        rlist.remove(conn)
    pending.pop(conn, None)
    conn.close()


while True:
    try:
        rs, ws, xs = select.select(rlist, list(pending), [])
    except ValueError:
        # 有文件描述符 ≥ FD_SETSIZE (a descriptor select cannot hold)
        too_big = [c for c in rlist if c.fileno() >= FD_SETSIZE]
        if not reported:
            reported = True
            print(json.dumps({"event": "error", "code": "FD_SETSIZE", "fd": too_big[0].fileno() if too_big else -1, "limit": FD_SETSIZE,
                              "message": "filedescriptor out of range in select()"}), flush=True)
        for c in too_big:
            drop(c)
        continue

    for r in rs:
        if r is s:
            # 有新连接：一次把排队的都接进来 (accept everything queued)
            while True:
                try:
                    conn, addr = s.accept()
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:  # EMFILE: out of descriptors, try again on the next round
                    break
                conn.setblocking(False)
                rlist.append(conn)
            continue
        try:
            data = r.recv(65536)
        except BlockingIOError:
            continue
        except OSError:
            data = b''
        if not data:  # 客户端断开 the client closed (or reset)
            drop(r)
            continue
        work(data)  # 计算时整个循环都停着 (the whole loop waits while one request computes)
        pending[r] = pending.get(r, b'') + data

    # 发送：发不完的留到下次可写时 (send what fits; the rest waits until the socket is writable)
    for w in list(pending):
        try:
            n = w.send(pending[w])
        except BlockingIOError:
            continue
        except OSError:
            drop(w)
            continue
        rest = pending[w][n:]
        if rest:
            pending[w] = rest
        else:
            del pending[w]
