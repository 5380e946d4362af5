#!/usr/bin/python3
"""Small misbehaving TLS peers for scripts/captures/tls.sh (Python 3.11 standard library only).

Servers (listen on 0.0.0.0:PORT, or [::] with --v6, serve --count connections, then exit):
  reset-on-accept     accept, then close at once with SO_LINGER 0: the client gets a RST
                      before any handshake byte moved
  close-after-hello   read the ClientHello record, then close normally (FIN, no alert)
  reset-after-hello   read the ClientHello record, then close with SO_LINGER 0 (RST)
  silent              read whatever comes and never answer; close when the client does
  slow-tls            accept, wait --delay seconds, then run a real TLS handshake with
                      --cert/--key (a server too slow to answer)

Clients (connect to HOST PORT):
  connect-close       connect, wait --delay seconds, close without sending anything (a port
                      check or load-balancer health probe)
  connect-then-wait   connect, wait --delay seconds, then try a TLS handshake (used against
                      reset-on-accept: the reset arrives before the client sends anything)
  hello-then-close    send a ClientHello made by OpenSSL (ssl.MemoryBIO) and close at once,
                      without an alert
  malformed-hello     send a ClientHello made by OpenSSL with the supported_groups list
                      length made larger than its extension, read the server's answer
  tls-echo            a normal TLS client that sends --lines lines, one every --delay seconds,
                      and prints what comes back (for the mid-stream capture)
Every client prints one line saying what happened (the description of the capture uses it).
"""
import argparse
import socket
import ssl
import struct
import sys
import time

RECORD_HEADER = 5
MAX_RECORD = 16384 + 2048


def log(msg: str) -> None:
    print(msg, flush=True)


def listen(port: int, v6: bool) -> socket.socket:
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('::' if v6 else '0.0.0.0', port))
    s.listen(16)
    return s


def recv_exact(conn: socket.socket, n: int) -> bytes:
    buf = b''
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def read_record(conn: socket.socket) -> bytes:
    """Read one TLS record (header + body); fewer bytes if the peer closes first."""
    head = recv_exact(conn, RECORD_HEADER)
    if len(head) < RECORD_HEADER:
        return head
    (length,) = struct.unpack('!H', head[3:5])
    return head + recv_exact(conn, min(length, MAX_RECORD))


def close_with_reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    conn.close()


def serve(args: argparse.Namespace) -> None:
    srv = listen(args.port, args.v6)
    tls_ctx = None
    if args.mode == 'slow-tls':
        tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_ctx.load_cert_chain(args.cert, args.key)
    for _ in range(args.count):
        conn, peer = srv.accept()
        log(f'{args.mode}: connection from {peer[0]}')
        if args.mode == 'reset-on-accept':
            close_with_reset(conn)
        elif args.mode in ('close-after-hello', 'reset-after-hello'):
            rec = read_record(conn)
            log(f'{args.mode}: read {len(rec)} bytes')
            if args.mode == 'reset-after-hello':
                close_with_reset(conn)
            else:
                conn.close()
        elif args.mode == 'silent':
            while conn.recv(65536):
                pass
            conn.close()
        elif args.mode == 'slow-tls':
            time.sleep(args.delay)
            assert tls_ctx is not None
            try:
                with tls_ctx.wrap_socket(conn, server_side=True) as tconn:
                    tconn.recv(1024)
            except (OSError, ssl.SSLError) as exc:
                log(f'slow-tls: {exc}')
            finally:
                conn.close()
    srv.close()


def client_hello_bytes(server_name: str, max_tls12: bool) -> bytes:
    """The first flight OpenSSL produces for a default client: one ClientHello record."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if max_tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=server_name)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def corrupt_supported_groups(record: bytes) -> bytes:
    """Make the supported_groups (10) inner list length 2 bytes longer than its extension."""
    body = bytearray(record)
    pos = RECORD_HEADER + 4 + 2 + 32          # record hdr, handshake hdr, version, random
    pos += 1 + body[pos]                      # session id
    (n,) = struct.unpack_from('!H', body, pos)
    pos += 2 + n                              # cipher suites
    pos += 1 + body[pos]                      # compression methods
    (ext_total,) = struct.unpack_from('!H', body, pos)
    pos += 2
    end = pos + ext_total
    while pos + 4 <= end:
        etype, elen = struct.unpack_from('!HH', body, pos)
        if etype == 10:
            (inner,) = struct.unpack_from('!H', body, pos + 4)
            struct.pack_into('!H', body, pos + 4, inner + 2)
            return bytes(body)
        pos += 4 + elen
    raise SystemExit('malformed-hello: no supported_groups extension to corrupt')


def read_answer(sock: socket.socket, wait: float) -> bytes:
    sock.settimeout(wait)
    data = b''
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        data += b'<reset>'
    return data


def client(args: argparse.Namespace) -> None:
    addr = (args.host, args.port)
    if args.mode == 'connect-close':
        sock = socket.create_connection(addr)
        time.sleep(args.delay)
        sock.close()
        log(f'connect-close: connected to {args.host}:{args.port} and closed after {args.delay} s without sending')
    elif args.mode == 'connect-then-wait':
        sock = socket.create_connection(addr)
        time.sleep(args.delay)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        try:
            ctx.wrap_socket(sock, server_hostname=args.sni)
            log('connect-then-wait: handshake completed (unexpected)')
        except (OSError, ssl.SSLError) as exc:
            log(f'connect-then-wait: {type(exc).__name__}: {exc}')
        sock.close()
    elif args.mode == 'hello-then-close':
        hello = client_hello_bytes(args.sni, max_tls12=False)
        sock = socket.create_connection(addr)
        sock.sendall(hello)
        sock.close()
        log(f'hello-then-close: sent a {len(hello)}-byte ClientHello and closed without an alert')
    elif args.mode == 'malformed-hello':
        hello = corrupt_supported_groups(client_hello_bytes(args.sni, max_tls12=False))
        sock = socket.create_connection(addr)
        sock.sendall(hello)
        answer = read_answer(sock, 3.0)
        sock.close()
        if len(answer) >= 7 and answer[0] == 21:
            log(f'malformed-hello: server answered alert level {answer[5]} description {answer[6]}')
        else:
            log(f'malformed-hello: server answered {answer[:16].hex()}')
    elif args.mode == 'tls-echo':
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with socket.create_connection(addr) as raw, ctx.wrap_socket(raw, server_hostname=args.sni) as tconn:
            log(f'tls-echo: connected with {tconn.version()} {tconn.cipher()[0]}')
            for i in range(args.lines):
                time.sleep(args.delay)
                tconn.sendall(f'line {i}\n'.encode())
                tconn.recv(4096)
            log(f'tls-echo: sent {args.lines} lines')
    else:
        raise SystemExit(f'unknown client mode {args.mode}')


SERVER_MODES = ('reset-on-accept', 'close-after-hello', 'reset-after-hello', 'silent', 'slow-tls')
CLIENT_MODES = ('connect-close', 'connect-then-wait', 'hello-then-close', 'malformed-hello', 'tls-echo')


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('mode', choices=SERVER_MODES + CLIENT_MODES)
    p.add_argument('host', nargs='?', default='')
    p.add_argument('port', nargs='?', type=int, default=443)
    p.add_argument('--port', dest='port_opt', type=int)
    p.add_argument('--v6', action='store_true')
    p.add_argument('--count', type=int, default=1)
    p.add_argument('--delay', type=float, default=1.0)
    p.add_argument('--lines', type=int, default=10)
    p.add_argument('--sni', default='www.example.test')
    p.add_argument('--cert')
    p.add_argument('--key')
    args = p.parse_args()
    if args.port_opt is not None:
        args.port = args.port_opt
    if args.mode in SERVER_MODES:
        serve(args)
    else:
        client(args)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
