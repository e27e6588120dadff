# The remote-command server of seed 000 (自定义报头): it reads a command raw with recv(1024) and
# answers struct.pack('i', len(header)) + header {"data_size": N} + N bytes of output.
# Unlike the seed it never runs the command (the course notes' rule for Wirelab's tests: no
# peer executes what it is sent): the "output" is a fixed text naming the command. The seed
# also sends the 4-byte length a second time before the body (its sticky-packet bug); this
# one sends it once, as its own client expects.
#   python3 remote_command_server.py   → prints "PORT n", serves until killed
import json
import socket
import struct

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 0))
s.listen(5)
print('PORT', s.getsockname()[1], flush=True)

while True:
    conn, addr = s.accept()
    while True:
        try:
            command = conn.recv(1024).decode('utf-8')
            if not command:
                break
            stdout = ('would run: %s\n' % command).encode('utf-8') * 3
            stderr = b''
            data_len = len(stdout) + len(stderr)
            data_dict = {'data_size': data_len}
            data_json_dict_b = json.dumps(data_dict).encode('utf-8')
            pack_len = len(data_json_dict_b)
            data_len_pack = struct.pack('i', pack_len)
            conn.send(data_len_pack)  # 发报头长度
            conn.send(data_json_dict_b)  # 发报头
            conn.send(stdout)  # 发数据
            conn.send(stderr)
        except Exception:
            break
    conn.close()
