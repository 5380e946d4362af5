#!/usr/bin/python3
"""One port pair of a user-space 802.1Q / 802.1ad switch, for scripts/captures/tls.sh.

    vlan-switch.py ACCESS_IF TRUNK_IF TAG [TAG...]

Frames received on ACCESS_IF are sent out of TRUNK_IF with the tags pushed (the first TAG
outermost); frames received on TRUNK_IF leave ACCESS_IF with their VLAN tags removed. A TAG
is VID (802.1Q, TPID 0x8100) or ad:VID (802.1ad service tag, TPID 0x88a8), so
`... 100` is an 802.1Q trunk and `... ad:200 100` a QinQ trunk. Two instances joined by a
veth pair make a trunk link whose frames really carry the tags, which a capture on either
trunk end records (this machine's kernel has no 8021q module, so the tags are made here).
Runs until killed. Python 3 standard library only; Linux AF_PACKET.
"""
import select
import socket
import struct
import sys

ETH_P_ALL = 0x0003
TPID_8021Q = 0x8100
TPID_8021AD = 0x88A8
VLAN_TPIDS = (TPID_8021Q, TPID_8021AD)
MAC_HEADER = 12  # destination + source MAC; the tags go right after them
MAX_FRAME = 65536


def parse_tag(text: str) -> bytes:
    tpid = TPID_8021Q
    if text.startswith('ad:'):
        tpid, text = TPID_8021AD, text[3:]
    vid = int(text)
    if not 1 <= vid <= 4094:
        raise SystemExit(f'bad VLAN id {vid}')
    return struct.pack('!HH', tpid, vid)


def push(frame: bytes, tags: bytes) -> bytes:
    return frame[:MAC_HEADER] + tags + frame[MAC_HEADER:]


def pop_all(frame: bytes) -> bytes:
    # The kernel already moved the outermost tag of a received frame out of the data (into
    # packet metadata); any tag left in the data is removed here.
    while len(frame) >= MAC_HEADER + 4 and struct.unpack_from('!H', frame, MAC_HEADER)[0] in VLAN_TPIDS:
        frame = frame[:MAC_HEADER] + frame[MAC_HEADER + 4:]
    return frame


def open_port(name: str) -> socket.socket:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((name, 0))
    return s


def main() -> None:
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    access_name, trunk_name = sys.argv[1], sys.argv[2]
    tags = b''.join(parse_tag(t) for t in sys.argv[3:])
    access, trunk = open_port(access_name), open_port(trunk_name)
    print(f'vlan-switch: {access_name} <-> {trunk_name} tags {tags.hex()}', flush=True)
    while True:
        ready, _, _ = select.select([access, trunk], [], [])
        for sock in ready:
            frame, addr = sock.recvfrom(MAX_FRAME)
            if addr[2] == socket.PACKET_OUTGOING:
                continue  # our own transmissions, seen again by the tap
            try:
                if sock is access:
                    trunk.send(push(frame, tags))
                else:
                    access.send(pop_all(frame))
            except OSError as exc:  # e.g. a frame too big for the outgoing port: drop it
                print(f'vlan-switch: dropped a {len(frame)}-byte frame: {exc}', flush=True)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
