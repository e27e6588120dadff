# The FTP homework's advanced client, download (seed 001, 进阶版): struct.pack('i') + JSON
# {"filename", "operate": "download"}; the answer is struct.pack('i') + {"filesize": N} + the
# file, read with the notes' loop (content = sk.recv(BUFSIZE) until filesize bytes) into DIR.
# Prints one JSON line {"bytes", "sha256"} when done.
#   python3 ftp_download_client.py HOST PORT FILENAME DIR [--bufsize 1024] [--no-hash]
import hashlib
import json
import os
import socket
import struct
import sys

host, port, filename, local_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
BUFSIZE = int(sys.argv[sys.argv.index('--bufsize') + 1]) if '--bufsize' in sys.argv else 1024
hashing = '--no-hash' not in sys.argv

sk = socket.socket()
sk.connect((host, port))
opt_bytes = json.dumps({'filename': filename, 'operate': 'download'}).encode('utf-8')
sk.send(struct.pack('i', len(opt_bytes)))
sk.send(opt_bytes)


def recv_exact(n):
    data = b''
    while len(data) < n:
        part = sk.recv(n - len(data))
        if not part:
            break
        data += part
    return data


msg_len = struct.unpack('i', recv_exact(4))[0]
size_dic = json.loads(recv_exact(msg_len).decode('utf-8'))
h = hashlib.sha256()
got = 0
with open(os.path.join(local_dir, os.path.basename(filename)), 'wb') as f:
    left = size_dic['filesize']
    while left > 0:
        content = sk.recv(min(BUFSIZE, left))
        if not content:
            break
        f.write(content)
        if hashing:
            h.update(content)
        got += len(content)
        left -= len(content)
sk.close()
print(json.dumps({'bytes': got, 'sha256': h.hexdigest() if hashing else None}), flush=True)
