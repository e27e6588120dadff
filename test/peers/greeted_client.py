# A client that reads what the server says first (seed 001, "server speaks first"):
# connect, recv until N bytes arrived, print them as hex.
#   python3 greeted_client.py HOST PORT N
import socket
import sys

host, port, want = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sk = socket.socket()
sk.settimeout(10)
sk.connect((host, port))
got = b''
while len(got) < want:
    data = sk.recv(1024)
    if not data:
        break
    got += data
print(got.hex())
sk.close()
