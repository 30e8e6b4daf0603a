#!/usr/bin/env python3
# old_daemon.py SOCKET TEXT: a daemon of another protocol version, as far
# as a client can tell: it answers the first frame (HELLO) with CTL_MSG_ERROR
# -EPROTONOSUPPORT and TEXT, as nanoosd does for a version it does not
# speak, then exits. Tests that `nanoos` shows the daemon's own words.
import os, socket, struct, sys

path, text = sys.argv[1], sys.argv[2].encode()
CTL_MSG_ERROR, MSG_F_REPLY, EPROTONOSUPPORT = 0x1002, 0x2, 93
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
head = b""
while len(head) < 24:
    head += c.recv(24 - len(head))
version, mtype, flags, _, status, tag, to, length = struct.unpack("<HHHHiIII", head)
left = length
while left:
    left -= len(c.recv(left))
payload = struct.pack("<I", len(text)) + text
c.sendall(struct.pack("<HHHHiIII", 1, CTL_MSG_ERROR, MSG_F_REPLY, 0, -EPROTONOSUPPORT,
                      tag, 0, len(payload)) + payload)
c.close()
os.unlink(path)
