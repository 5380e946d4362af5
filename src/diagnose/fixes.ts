// Fix texts shared by several rules: the checks a sysadmin runs, named for the software
// they run. Functions of the few facts they need (port, address), so every rule words
// the same check the same way.

export const fixListening = (port: number): string =>
  `On the server, check that a service listens on port ${port}: ss -tlnp 'sport = :${port}' (or netstat -tlnp); start it or fix its Listen/listen directive and bind address`;

export const fixHostFirewall = (port: number): string =>
  `Check the server's host firewall for TCP port ${port}: iptables -L -n -v, nft list ruleset, ufw status, firewall-cmd --list-all`;

export const fixNetworkFirewall = (port: number): string =>
  `Check firewalls on the path and in the cloud: security group / network ACL must allow TCP ${port} from the client's address`;

export const fixReachability = (ip: string, port: number): string =>
  `From the client: nc -vz ${ip} ${port} and traceroute -T -p ${port} ${ip} show where packets stop; check the host is up and the address/DNS name is right`;

export const fixTcpWrappers = 'For sshd built with TCP wrappers: check /etc/hosts.allow and /etc/hosts.deny for the client address';

export const fixMtu = (ip: string): string[] => [
  `Path-MTU black hole: a router on the path drops full-size packets without sending ICMP "fragmentation needed" (type 3 code 4) / ICMPv6 "packet too big"; allow those ICMP messages through every firewall on the path`,
  `Clamp the MSS on the router or tunnel endpoint: iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu (or set a lower MTU on the tunnel/VPN interface)`,
  `Confirm from the client: ping -M do -s 1472 ${ip} fails while ping -M do -s 1200 ${ip} works (tracepath ${ip} shows the path MTU)`,
  `As a workaround on Linux hosts: sysctl -w net.ipv4.tcp_mtu_probing=1`,
];

export const fixStalled = (ip: string, port: number): string[] => [
  `Packets reach the network but are never acknowledged: look for a firewall or IPS dropping this traffic mid-connection (iptables/nft counters, IPS logs, cloud flow logs)`,
  `Capture on the server at the same time: if the segments never arrive there, the loss is on the path; if they arrive and are not answered, the server's firewall or the service is at fault`,
  fixReachability(ip, port),
];

export const fixCaptureMore = 'Capture the whole connection, from its SYN to its close (start the capture before the client connects, with a large enough snaplen: tcpdump -s 0)';
