# The FTP homework's advanced server (seed 001, 进阶版), serving one request per connection until
# killed: num_by = conn.recv(4); the JSON header; then
#   upload:   the notes' loop, content = conn.recv(1024) until filesize bytes, written to DIR
#             (only the header's basename: the seed trusts the name, a test peer must not)
#   download: struct.pack('i') + {"filesize": N} + the file, sent with socket.sendfile
# After each request it prints one JSON line: {"operate", "filename", "bytes", "sha256"}.
#   python3 ftp_server.py DIR [--bufsize 1024]   → prints "PORT n" first
import hashlib
import json
import os
import socket
import struct
import sys

REMOTE_DIR = sys.argv[1]
BUFSIZE = int(sys.argv[sys.argv.index('--bufsize') + 1]) if '--bufsize' in sys.argv else 1024

sk = socket.socket()
sk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sk.bind(('127.0.0.1', 0))
sk.listen()
print('PORT', sk.getsockname()[1], flush=True)


def recv_exact(conn, n):
    data = b''
    while len(data) < n:
        part = conn.recv(n - len(data))
        if not part:
            break
        data += part
    return data


while True:
    conn, addr = sk.accept()
    num_by = recv_exact(conn, 4)
    if len(num_by) < 4:
        conn.close()
        continue
    msg_len = struct.unpack('i', num_by)[0]
    json_dic = recv_exact(conn, msg_len).decode('utf-8')
    opt_dic = json.loads(json_dic)
    filename = os.path.basename(opt_dic['filename'])
    filepath = os.path.join(REMOTE_DIR, filename)
    h = hashlib.sha256()
    got = 0
    if opt_dic['operate'] == 'upload':
        filesize = opt_dic['filesize']
        with open(filepath, 'wb') as f:
            while filesize > 0:
                content = conn.recv(min(BUFSIZE, filesize))
                if not content:
                    break
                f.write(content)
                h.update(content)
                got += len(content)
                filesize -= len(content)
    elif opt_dic['operate'] == 'download':
        size = os.path.getsize(filepath)
        dic_bytes = json.dumps({'filesize': size}).encode('utf-8')
        conn.sendall(struct.pack('i', len(dic_bytes)) + dic_bytes)
        with open(filepath, 'rb') as f:
            got = conn.sendfile(f)
    conn.close()
    print(json.dumps({'operate': opt_dic['operate'], 'filename': filename, 'bytes': got, 'sha256': h.hexdigest() if got and opt_dic['operate'] == 'upload' else None}), flush=True)
