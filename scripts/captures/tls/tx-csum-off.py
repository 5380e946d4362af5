#!/usr/bin/python3
"""Turn off transmit checksum offload on network interfaces (what `ethtool -K IFACE tx off`
does), for scripts/captures/tls.sh, which must not depend on the ethtool package.

    tx-csum-off.py IFACE...      (run inside the interfaces' network namespace)

A veth hands its peer TCP segments whose checksum is left for "the hardware" to fill in;
the kernel accepts them, but a frame copied by a user-space switch (vlan-switch.py) would
arrive with a wrong checksum and be dropped. With offload off the kernel computes the
checksum before the frame leaves, as on a real wire.
"""
import array
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
ETHTOOL_STXCSUM = 0x00000017
IFNAMSIZ = 16
IFREQ_SIZE = 40


def tx_csum_off(sock: socket.socket, name: str) -> None:
    value = array.array('I', [ETHTOOL_STXCSUM, 0])   # struct ethtool_value { cmd, data }
    ptr, _ = value.buffer_info()
    ifreq = struct.pack(f'{IFNAMSIZ}sP', name.encode(), ptr)
    ifreq += b'\0' * (IFREQ_SIZE - len(ifreq))
    fcntl.ioctl(sock.fileno(), SIOCETHTOOL, ifreq)


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name in sys.argv[1:]:
            tx_csum_off(sock, name)


if __name__ == '__main__':
    main()
