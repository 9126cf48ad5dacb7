"""Bind listening sockets inside another network namespace.

Python 3.11 has no ``os.setns``; we call libc directly.  The switch is done
under a lock and always switched back, so the rest of the process (asyncio
loop, subprocesses) keeps living in the original namespace.
"""

from __future__ import annotations

import ctypes
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

CLONE_NEWNET = 0x40000000
_LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
_LOCK = threading.Lock()


def _setns(fd: int) -> None:
    if _LIBC.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


@contextmanager
def _in_netns(netns: str | None) -> Iterator[None]:
    """Run the body with the calling thread in ``netns`` (None: stay put), under the lock, and
    switch back afterwards."""
    with _LOCK:
        orig = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{netns}", os.O_RDONLY) if netns else None
        try:
            if target is not None:
                _setns(target)
            try:
                yield
            finally:
                if target is not None:
                    _setns(orig)
        finally:
            os.close(orig)
            if target is not None:
                os.close(target)


def bind_in_netns(netns: str | None, host: str, port: int, backlog: int = 64) -> socket.socket:
    """Create a listening TCP socket bound to host:port inside ``netns``.

    A socket stays in the namespace it was created in, so it can be served
    from the main namespace afterwards.
    """
    with _in_netns(netns):
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # The mgmt IP may be assigned a moment after we start.
        sock.setsockopt(socket.SOL_IP, 15, 1)  # IP_FREEBIND
        sock.bind((host, port))
        sock.listen(backlog)
        sock.setblocking(False)
        return sock


def write_in_netns(netns: str | None, path: str, value: str) -> bool:
    """Write a per-netns /proc file (e.g. ``/proc/sys/net/ipv4/ip_forward``) as seen from ``netns``.

    Network sysctls resolve to the namespace of the thread that opens them, so this switches the
    calling thread in and back, like :func:`bind_in_netns` (no ``ip netns exec`` process).
    """
    with _in_netns(netns):
        try:
            with open(path, "w") as fh:
                fh.write(value)
            return True
        except OSError:
            return False
