#!/usr/bin/env python3
# pre_fs_daemon.py SOCKET: a nanoosd from before FUSE forwarding, as far as
# a client can tell: it answers HELLO (client protocol 1) and STATUS
# (software version 0.5), and closes the connection at any other frame, as
# nanoosd's conn_read does for a type it does not know. Serves one
# connection, then exits. Tests that `nanoos mount` says to restart it.
import os, socket, struct, sys

path = sys.argv[1]
HELLO, STATUS, MSG_F_REPLY = 0x1001, 0x100C, 0x2
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
c, _ = s.accept()


def recv_exact(n):
    data = b""
    while len(data) < n:
        got = c.recv(n - len(data))
        if not got:
            raise EOFError
        data += got
    return data


def buf(b):
    return struct.pack("<I", len(b)) + b


def answer(mtype, tag, payload):
    c.sendall(struct.pack("<HHHHiIII", 1, mtype, MSG_F_REPLY, 0, 0, tag, 0, len(payload)) +
              payload)


try:
    while True:
        version, mtype, flags, _, status, tag, to, length = struct.unpack("<HHHHiIII",
                                                                          recv_exact(24))
        recv_exact(length)
        if mtype == HELLO:
            answer(mtype, tag, struct.pack("<III", 1, os.getpid(), os.getuid()) +
                   buf(b"/nonexistent/old.img") + buf(b"root"))
        elif mtype == STATUS:
            answer(mtype, tag, struct.pack("<IIIIQQQQQ", os.getpid(), 0, 1, 2, 0, 0, 0, 0, 0) +
                   buf(b"/nonexistent/old.img") + buf(b"0.5"))
        else:
            break                       # an unknown type: close, as nanoosd 0.6 did
except EOFError:
    pass
c.close()
os.unlink(path)
