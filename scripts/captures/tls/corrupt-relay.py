#!/usr/bin/env python3
"""A TCP relay that alters one byte of the client's first protected TLS record.

Used by scripts/captures/keylog.sh to make a real bad_record_mac: it forwards both
directions unchanged, except that after the client's ChangeCipherSpec record it flips the
last byte (inside the MAC / tag) of the client's next record, its encrypted Finished. One
connection at a time.
"""
import argparse
import socket
import threading


def pipe(src: socket.socket, dst: socket.socket, corrupt: bool) -> None:
    buf = b''
    ccs_seen = False
    done = not corrupt
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if done:
                dst.sendall(data)
                continue
            buf += data
            out = b''
            # forward whole records, altering the first one after a ChangeCipherSpec
            while len(buf) >= 5:
                n = 5 + int.from_bytes(buf[3:5], 'big')
                if len(buf) < n:
                    break
                rec, buf = bytearray(buf[:n]), buf[n:]
                if ccs_seen and not done:
                    rec[-1] ^= 0x01
                    done = True
                if rec[0] == 20:
                    ccs_seen = True
                out += bytes(rec)
            if done and buf:
                out += buf
                buf = b''
            if out:
                dst.sendall(out)
    except OSError:
        pass
    finally:
        for s in (dst, src):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--listen', type=int, required=True)
    p.add_argument('--to', required=True)
    a = p.parse_args()
    host, port = a.to.rsplit(':', 1)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', a.listen))
    ls.listen(8)
    while True:
        c, _ = ls.accept()
        s = socket.create_connection((host, int(port)))
        t1 = threading.Thread(target=pipe, args=(c, s, True), daemon=True)
        t2 = threading.Thread(target=pipe, args=(s, c, False), daemon=True)
        t1.start()
        t2.start()


if __name__ == '__main__':
    main()
