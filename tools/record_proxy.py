#!/usr/bin/env python3
"""A recording TCP proxy for one connection on loopback (stdlib only).

Listens on 127.0.0.1:LISTEN, accepts exactly one client, connects it to
127.0.0.1:TARGET, forwards bytes both ways unchanged and records them:

  OUT.c2s.bin   every byte the client sent, in order
  OUT.s2c.bin   every byte the server sent, in order
  OUT.json      {"chunks": [[dir, offset, length], ...]}: the reads in the order the
                proxy saw them (dir is "c2s" or "s2c"), so a replay can interleave
                the two directions as they happened

It stops when both sides have closed, or at --timeout seconds, whichever comes first.
Prints "READY <port>" on stdout once listening (with --listen 0 the port is chosen by
the kernel).
"""

import argparse
import json
import selectors
import socket
import sys
import time

LOOPBACK = "127.0.0.1"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", type=int, required=True, help="port to listen on (0: any)")
    ap.add_argument("--target", type=int, required=True, help="server port on 127.0.0.1")
    ap.add_argument("--out", required=True, help="output path prefix")
    ap.add_argument("--timeout", type=float, default=10.0, help="overall deadline, seconds")
    args = ap.parse_args()

    deadline = time.monotonic() + args.timeout
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((LOOPBACK, args.listen))
    lsock.listen(1)
    print(f"READY {lsock.getsockname()[1]}", flush=True)

    lsock.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        client, _ = lsock.accept()
    except socket.timeout:
        print("record_proxy: no client before the deadline", file=sys.stderr)
        return 2
    finally:
        lsock.close()
    server = socket.create_connection((LOOPBACK, args.target), timeout=5)
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)

    data = {"c2s": bytearray(), "s2c": bytearray()}
    chunks = []
    # direction name -> (source socket, destination socket)
    routes = {"c2s": (client, server), "s2c": (server, client)}
    sel = selectors.DefaultSelector()
    for name, (src, _) in routes.items():
        sel.register(src, selectors.EVENT_READ, name)
    open_dirs = set(routes)
    timed_out = False

    while open_dirs:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        for key, _ in sel.select(timeout=left):
            name = key.data
            src, dst = routes[name]
            try:
                buf = src.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionResetError:
                buf = b""
            if not buf:
                sel.unregister(src)
                open_dirs.discard(name)
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            chunks.append([name, len(data[name]), len(buf)])
            data[name] += buf
            dst.setblocking(True)
            try:
                dst.sendall(buf)
            except OSError:
                pass  # the peer went away; keep recording what the other side says
            dst.setblocking(False)

    client.close()
    server.close()
    for name, buf in data.items():
        with open(f"{args.out}.{name}.bin", "wb") as f:
            f.write(buf)
    with open(f"{args.out}.json", "w") as f:
        json.dump({"chunks": chunks}, f)
    if timed_out:
        print("record_proxy: deadline reached before both sides closed", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
