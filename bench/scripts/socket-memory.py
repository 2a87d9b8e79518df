#!/usr/bin/env python3
"""Kernel memory per idle TCP socket (docs/capacity.md, "Kernel memory per connection").

    bench/scripts/socket-memory.py [PAIRS]     (default 4000; two sockets per pair)

Opens PAIRS loopback connections (both ends in this process, so 2 x PAIRS descriptors),
and prints the growth of the kernel's slab memory per socket, with the largest slab caches
when /proc/slabinfo is readable (root). Other processes' allocations meanwhile count too:
run it on a quiet machine or read it as an upper bound.
"""
import socket
import sys
import time

pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 4000


def meminfo():
    return {line.split(':')[0]: int(line.split()[1]) * 1024 for line in open('/proc/meminfo')}


def slabs():
    try:
        lines = open('/proc/slabinfo').readlines()[2:]
    except OSError:
        return None
    return {f[0]: int(f[1]) * int(f[3]) for f in (line.split() for line in lines)}


server = socket.socket()
server.bind(('127.0.0.1', 0))
server.listen(4096)
port = server.getsockname()[1]
time.sleep(1)
m0, s0 = meminfo(), slabs()
held = []
for _ in range(pairs):
    c = socket.create_connection(('127.0.0.1', port))
    a, _ = server.accept()
    held += [c, a]
time.sleep(2)
m1, s1 = meminfo(), slabs()
sockets = 2 * pairs
print('sockets=%d slab_bytes_per_socket=%.0f' % (sockets, (m1['Slab'] - m0['Slab']) / sockets))
if s0 is not None:
    for grown, name in sorted(((s1.get(k, 0) - s0.get(k, 0), k) for k in s1), reverse=True)[:6]:
        print('  %s %.0f' % (name, grown / sockets))
