# The FTP homework's advanced client (seed 001, 进阶版), upload only: struct.pack('i') with the
# length of a JSON header {"filename", "filesize", "operate": "upload"}, the header, then the
# file in 4096-byte reads. Extra modes, for the tests' edge cases:
#   python3 ftp_upload_client.py HOST PORT PATH [--name NAME] [--mode notes|split|one] [--count N] [--cut BYTES]
#   --name  the filename the header announces (default: the file's basename; "../x" to try escaping)
#   --mode  notes: send(len); send(header); send(4096-byte pieces) as the notes do
#           split: the 4-byte length and the header one byte per send (TCP_NODELAY, a pause between)
#           one:   length, header and the whole file in one sendall
#           sendfile: length and header, then the file with socket.sendfile (zero-copy; the bench's peer)
#   --count upload the same file N times on one connection
#   --cut   close after sending only this many bytes of the body (a transfer cut short)
import argparse
import json
import os
import socket
import struct
import time

ap = argparse.ArgumentParser()
ap.add_argument('host')
ap.add_argument('port', type=int)
ap.add_argument('path')
ap.add_argument('--name')
ap.add_argument('--mode', default='notes')
ap.add_argument('--count', type=int, default=1)
ap.add_argument('--cut', type=int)
args = ap.parse_args()

sk = socket.socket()
sk.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
sk.connect((args.host, args.port))

path = args.path
for _ in range(args.count):
    filename = args.name if args.name is not None else os.path.basename(path)  # 获取文件名
    filesize = os.path.getsize(path)  # 获取文件大小
    opt_dic = {'filename': filename, 'filesize': filesize, 'operate': 'upload'}  # 把请求发过去
    opt_bytes = json.dumps(opt_dic).encode('utf-8')
    num_bytes = struct.pack('i', len(opt_bytes))
    with open(path, 'rb') as f:
        body = f.read() if args.mode == 'one' else None
        if args.mode == 'one':
            sk.sendall(num_bytes + opt_bytes + body)
        elif args.mode == 'sendfile':
            sk.sendall(num_bytes + opt_bytes)
            sk.sendfile(f)
        else:
            if args.mode == 'split':
                for b in num_bytes + opt_bytes:
                    sk.send(bytes([b]))
                    time.sleep(0.002)
            else:
                sk.send(num_bytes)
                sk.send(opt_bytes)
            left = filesize if args.cut is None else args.cut
            while left > 0:
                content = f.read(min(4096, left))
                sk.sendall(content)
                left -= len(content)
if args.cut is not None:
    time.sleep(0.2)
sk.close()
print('sent')
