"""ncclient, tuned for many short RPCs: the one knob netfabric turns on it.

ncclient's session thread sends a queued RPC only when its ``select`` on the transport wakes, and it
sleeps up to ``ncclient.transport.session.TICK`` (100 ms) when nothing arrives: every request waits up
to a tick before it leaves, whatever the device. A rollout gate reads four or five operational trees
per device and polls them until convergence, and collection does the same over 64 devices, so the
tick was most of a gate's time (IOS-XR gate facts, five RPCs: 0.77 s, 0.17 s with this). 5 ms keeps
a request's wait negligible and costs an open session ~200 wakeups/s of an idle thread, only while
it is open (drivers and collectors close their sessions when done). ncclient has no public setting
for it; the module constant is read on every loop turn, so setting it takes effect at once.
"""

from __future__ import annotations

TICK = 0.005


def tune() -> None:
    """Apply the tick (idempotent; call before opening sessions, cheap afterwards)."""
    from ncclient.transport import session

    if session.TICK != TICK:
        session.TICK = TICK
