"""One member of the course's chat room (seed 003, 群聊聊天室).

    python3 chat_client.py HOST PORT NAME

Sends NAME as its first line, then each line typed on stdin; prints every line the room sends,
as it arrives, prefixed "< ". A line "quit" on stdin closes the connection.
"""
import socket
import sys
import threading

sk = socket.socket()
sk.connect((sys.argv[1], int(sys.argv[2])))
sk.send((sys.argv[3] + '\n').encode('utf-8'))


def listen():
    buf = b''
    while True:
        data = sk.recv(1024)
        if not data:
            break
        buf += data
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            print('< ' + line.decode('utf-8'), flush=True)


threading.Thread(target=listen, daemon=True).start()
print('ready', flush=True)
for line in sys.stdin:
    line = line.rstrip('\n')
    if line == 'quit':
        break
    sk.send((line + '\n').encode('utf-8'))
sk.close()
