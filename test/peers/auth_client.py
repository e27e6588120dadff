"""The course's authenticated client (seed 001, 验证客户端的合法性), then one message.

    python3 auth_client.py HOST PORT KEY [md5|hmac] MESSAGE

It reads the 32-byte challenge, answers md5(KEY + challenge).hexdigest() (or the notes'
commented HMAC variant, with the digestmod Python 3.8+ needs: SHA-256), sends MESSAGE and prints
what the server says until it closes or goes quiet, as one JSON line.
"""
import hashlib
import hmac
import json
import socket
import sys

SECRET_KEY = sys.argv[3].encode('utf-8')
ALGO = sys.argv[4]
MESSAGE = sys.argv[5].encode('utf-8')


def check_client(sk):
    randbytes = b''
    while len(randbytes) < 32:
        randbytes += sk.recv(32 - len(randbytes))
    if ALGO == 'md5':
        md5 = hashlib.md5(SECRET_KEY)
        md5.update(randbytes)
        code = md5.hexdigest().encode('utf-8')
    else:
        code = hmac.new(SECRET_KEY, randbytes, 'sha256').hexdigest().encode('utf-8')
    sk.send(code)


sk = socket.socket()
sk.connect((sys.argv[1], int(sys.argv[2])))
check_client(sk)
try:
    sk.send(MESSAGE)
except OSError:
    pass
sk.settimeout(2)
got = b''
closed = False
try:
    while True:
        chunk = sk.recv(1024)
        if not chunk:
            closed = True
            break
        got += chunk
        if got.endswith(MESSAGE):
            break
except (socket.timeout, ConnectionResetError):
    pass
print(json.dumps({'received': got.decode('utf-8', 'replace'), 'closed': closed}), flush=True)
