"""The course's FTP homework client, advanced version (seed 001, 进阶版), without the menu.

    python3 ftp_client.py HOST PORT upload PATH
    python3 ftp_client.py HOST PORT download NAME LOCAL_DIR [NAME LOCAL_DIR ...]

Each message is struct.pack('i', len(header)) + the JSON header (+ the file), as the notes'
mysend / myrecv do; recv() is looped until the announced size is in (the notes count down
`filesize` the same way). Prints one JSON line per operation.
"""
import hashlib
import json
import os
import socket
import struct
import sys


def recv_exact(sk, n):
    data = b''
    while len(data) < n:
        chunk = sk.recv(n - len(data))
        if not chunk:
            raise ConnectionError('the server closed after %d of %d bytes' % (len(data), n))
        data += chunk
    return data


def mysend(sk, opt_dic):
    opt_bytes = json.dumps(opt_dic).encode('utf-8')
    num_bytes = struct.pack('i', len(opt_bytes))
    sk.send(num_bytes)
    sk.send(opt_bytes)


def myrecv(sk):
    bytes_len = recv_exact(sk, 4)  # 要接受的数据的长度
    msg_len = struct.unpack('i', bytes_len)[0]
    str_dic = recv_exact(sk, msg_len).decode('utf-8')  # 接收文件的大小
    return json.loads(str_dic)


def upload(sk, path):
    filename = os.path.basename(path)  # 获取文件名
    filesize = os.path.getsize(path)  # 获取文件大小
    opt_dic = {'filename': filename, 'filesize': filesize, 'operate': 'upload'}  # 把请求发过去
    mysend(sk, opt_dic)
    with open(path, 'rb') as f:
        while filesize > 0:
            content = f.read(4096)
            sk.sendall(content)
            filesize -= len(content)
    return {'operate': 'upload', 'filename': filename}


def download(sk, filename, local_dir):
    opt_dic = {'filename': filename, 'operate': 'download'}
    mysend(sk, opt_dic)
    size_dic = myrecv(sk)
    if 'error' in size_dic:
        recv_exact(sk, size_dic.get('filesize', 0))
        return {'operate': 'download', 'filename': filename, 'header': size_dic}
    filepath = os.path.join(local_dir, os.path.basename(filename))
    digest = hashlib.sha256()
    got = 0
    with open(filepath, 'wb') as f:
        left = size_dic['filesize']
        while left > 0:
            content = sk.recv(min(65536, left))
            if not content:
                break
            f.write(content)
            digest.update(content)
            got += len(content)
            left -= len(content)
    return {'operate': 'download', 'filename': filename, 'header': size_dic, 'bytes': got, 'sha256': digest.hexdigest()}


if __name__ == '__main__':
    sk = socket.socket()
    sk.connect((sys.argv[1], int(sys.argv[2])))
    op = sys.argv[3]
    if op == 'upload':
        print(json.dumps(upload(sk, sys.argv[4])), flush=True)
    else:
        args = sys.argv[4:]
        for i in range(0, len(args), 2):
            print(json.dumps(download(sk, args[i], args[i + 1])), flush=True)
    sk.close()
