# A server that gives up on an upload part-way, as a student's server does when it crashes or
# stops reading (seed 001's upload loop, content = conn.recv(1024), cut short): it accepts one
# client, reads LIMIT bytes, then closes. With --reset it closes with SO_LINGER {1, 0}, which
# sends a RST at once; without it, close() with data still unread in the receive buffer makes
# the kernel send a RST as well (RFC 9293 §3.6.1 / RFC 2525 §2.17), just after the FIN.
# It prints how many bytes it read as one JSON line, then exits.
#   python3 quitting_server.py LIMIT [--reset]   → prints "PORT n" first
import json
import socket
import struct
import sys

LIMIT = int(sys.argv[1])
RESET = '--reset' in sys.argv

sk = socket.socket()
sk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sk.bind(('127.0.0.1', 0))
sk.listen()
print('PORT', sk.getsockname()[1], flush=True)

conn, addr = sk.accept()
got = 0
while got < LIMIT:
    content = conn.recv(min(1024, LIMIT - got))
    if not content:
        break
    got += len(content)
if RESET:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
conn.close()
sk.close()
print(json.dumps({'read': got}), flush=True)
