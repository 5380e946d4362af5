#!/usr/bin/python3
"""SSH peers for scripts/captures/ssh.sh that OpenSSH and dropbear cannot play.

Run with Debian's /usr/bin/python3 (python3-asyncssh is a Debian package):

  peers.py async-client HOST [--port N] [--user U] [--key FILE] [--known-hosts FILE]
                        [--compression ALG,...] [--no-strict-kex] [--command CMD]
      an asyncssh client; prints the outcome (or asyncssh's exception) on stderr and
      exits 0 on success, 1 on failure.
  peers.py async-server [--port N] --host-key FILE [--authorized-keys FILE]
                        [--no-strict-kex]
      an asyncssh server that accepts publickey logins and answers "exec" requests by
      printing the command back; runs until killed.
  peers.py raw-server MODE [--port N]
      a minimal hand-written listener that stops where a broken server would:
        close-before-banner  accept, wait for the client's identification string, close
                             (TCP wrappers / a dying sshd) without sending anything
        ssh1-banner          send "SSH-1.5-OldServer", read the client's reply, close
        kexinit-then-close   send an SSH-2.0 banner and a real KEXINIT, read the client's
                             KEXINIT and its first key-exchange message, then close
                             without DISCONNECT (an sshd crashing in the key exchange)

asyncssh before 2.14.2 did not implement the strict key exchange that counters the
Terrapin attack (CVE-2023-48795); Debian's 2.10.1 has it backported. --no-strict-kex
makes this process behave as an unpatched asyncssh: it neither offers the
kex-strict-*-v00@openssh.com marker nor switches to strict mode when the peer offers it.
"""

import argparse
import asyncio
import os
import socket
import struct
import sys
import warnings

warnings.simplefilter('ignore')  # cryptography's deprecation noise on import

LISTEN_BACKLOG = 16
RAW_READ_TIMEOUT = 5.0  # seconds a raw server waits for the client's next bytes
MAX_PACKET = 256 * 1024  # refuse absurd packet lengths from the client


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def algs(text):
    return [a for a in text.split(',') if a] if text else ()


def disable_strict_kex():
    """Behave as asyncssh did before strict kex existed: offer only ext-info-c /
    ext-info-s, and never switch to strict mode (sequence numbers that restart at
    NEWKEYS) when the peer offers it."""
    import asyncssh.connection as conn

    def extra_kex_algs(self):
        return [b'ext-info-c'] if self.is_client() else [b'ext-info-s']

    conn.SSHConnection._get_extra_kex_algs = extra_kex_algs
    conn.SSHConnection._strict_kex = property(lambda self: False, lambda self, value: None)


# ---------------------------------------------------------------- asyncssh client

async def async_client(args):
    import asyncssh
    options = dict(username=args.user, port=args.port,
                   known_hosts=None if args.known_hosts == 'none' else args.known_hosts,
                   client_keys=[args.key] if args.key else None, agent_path=None,
                   login_timeout=args.timeout)
    if args.compression:
        options['compression_algs'] = algs(args.compression)
    try:
        async with asyncssh.connect(args.host, **options) as conn:
            result = await conn.run(args.command, check=False)
            log('asyncssh client: command exited %s, output %r'
                % (result.exit_status, result.stdout))
            return 0 if result.exit_status == 0 else 1
    except (OSError, asyncssh.Error) as exc:
        code = getattr(exc, 'code', None)
        log('asyncssh client: %s%s: %s' % (type(exc).__name__,
                                          '' if code is None else ' (code %d)' % code,
                                          exc))
        return 1


# ---------------------------------------------------------------- asyncssh server

def make_server_class(asyncssh):
    class Server(asyncssh.SSHServer):
        def connection_made(self, conn):
            log('asyncssh server: connection from %s' % (conn.get_extra_info('peername'),))

        def connection_lost(self, exc):
            log('asyncssh server: connection lost: %s' % (exc or 'closed'))

        def begin_auth(self, username):
            return True

    return Server


async def handle_process(process):
    process.stdout.write('%s\n' % (process.command or ''))
    process.exit(0)


async def async_server(args):
    import asyncssh
    options = dict(server_host_keys=[args.host_key], process_factory=handle_process,
                   authorized_client_keys=args.authorized_keys)
    server = await asyncssh.listen('', args.port, server_factory=make_server_class(asyncssh),
                                   **options)
    log('asyncssh server: listening on port %d' % args.port)
    async with server:
        await server.wait_closed()


# ---------------------------------------------------------------- raw listener

def name_list(names):
    data = ','.join(names).encode('ascii')
    return struct.pack('>I', len(data)) + data


def binary_packet(payload, block=8):
    """RFC 4253 section 6 framing without encryption or MAC (before NEWKEYS)."""
    padding = block - (len(payload) + 5) % block
    if padding < 4:
        padding += block
    return struct.pack('>IB', len(payload) + padding + 1, padding) + payload + os.urandom(padding)


def server_kexinit():
    lists = [
        ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256'],
        ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256'],
        ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-gcm@openssh.com'],
        ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-gcm@openssh.com'],
        ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256'],
        ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256'],
        ['none'], ['none'], [], [],
    ]
    payload = bytes([20]) + os.urandom(16) + b''.join(name_list(n) for n in lists)
    return binary_packet(payload + b'\x00' + b'\x00\x00\x00\x00')


class Stream:
    """Blocking reads from an accepted socket with a deadline per read."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b''
        sock.settimeout(RAW_READ_TIMEOUT)

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError('client closed')
        self.buf += chunk

    def line(self):
        while b'\n' not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b'\n', 1)
        return line.rstrip(b'\r')

    def packet(self):
        while len(self.buf) < 5:
            self.fill()
        length = struct.unpack('>I', self.buf[:4])[0]
        if length > MAX_PACKET:
            raise ValueError('client packet length %d' % length)
        while len(self.buf) < 4 + length:
            self.fill()
        pad = self.buf[4]
        payload = self.buf[5:4 + length - pad]
        self.buf = self.buf[4 + length:]
        return payload


def raw_session(mode, sock):
    stream = Stream(sock)
    if mode == 'close-before-banner':
        log('raw-server: client says %r; closing before any banner' % stream.line())
    elif mode == 'ssh1-banner':
        sock.sendall(b'SSH-1.5-OldServer\r\n')
        log('raw-server: client says %r' % stream.line())
        stream.sock.settimeout(1.0)
        try:
            while True:  # until the client gives up and closes
                stream.fill()
        except (EOFError, socket.timeout):
            pass
    elif mode == 'kexinit-then-close':
        sock.sendall(b'SSH-2.0-HsiTestServer_1.0\r\n')
        log('raw-server: client says %r' % stream.line())
        sock.sendall(server_kexinit())
        kexinit = stream.packet()
        log('raw-server: client message %d (%d bytes)' % (kexinit[0], len(kexinit)))
        init = stream.packet()
        log('raw-server: client message %d (%d bytes); closing without DISCONNECT'
            % (init[0], len(init)))
    sock.close()


def raw_server(args):
    listener = socket.socket(socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('0.0.0.0', args.port))
    listener.listen(LISTEN_BACKLOG)
    log('raw-server %s: listening on port %d' % (args.mode, args.port))
    while True:
        sock, peer = listener.accept()
        log('raw-server: connection from %s' % (peer,))
        try:
            raw_session(args.mode, sock)
        except (OSError, EOFError, ValueError) as exc:
            log('raw-server: %s' % exc)
            sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='role', required=True)

    client = sub.add_parser('async-client')
    client.add_argument('host')
    client.add_argument('--port', type=int, default=22)
    client.add_argument('--user', default='root')
    client.add_argument('--key')
    client.add_argument('--known-hosts', default='none')
    client.add_argument('--compression')
    client.add_argument('--command', default='true')
    client.add_argument('--timeout', type=float, default=10.0)
    client.add_argument('--no-strict-kex', action='store_true')

    server = sub.add_parser('async-server')
    server.add_argument('--port', type=int, default=22)
    server.add_argument('--host-key', required=True)
    server.add_argument('--authorized-keys')
    server.add_argument('--no-strict-kex', action='store_true')

    raw = sub.add_parser('raw-server')
    raw.add_argument('mode', choices=['close-before-banner', 'ssh1-banner',
                                      'kexinit-then-close'])
    raw.add_argument('--port', type=int, default=22)

    args = parser.parse_args()
    if getattr(args, 'no_strict_kex', False):
        disable_strict_kex()
    if args.role == 'async-client':
        return asyncio.run(async_client(args))
    if args.role == 'async-server':
        try:
            asyncio.run(async_server(args))
        except KeyboardInterrupt:
            pass
        return 0
    raw_server(args)
    return 0


if __name__ == '__main__':
    sys.exit(main())
