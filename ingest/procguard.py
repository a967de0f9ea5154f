"""Helper processes end with the process that started them.

A poll killed with SIGKILL (the OOM killer, an admin's ``kill -9``) runs no cleanup, and
its helpers used to run on for good: the forkserver, the extraction workers it forked and
the resource tracker (4 processes, about 180 MB a kill, piling up over repeated kills).
Now:

- each extraction worker asks the kernel for SIGKILL when its parent ends
  (``prctl(PR_SET_PDEATHSIG)``, :func:`die_with_parent`); its parent is the forkserver,
  whose single thread forks it, so "the parent thread ended" means the forkserver ended;
- the forkserver watches its own parent (:func:`watch_parent`, started by importing
  ``dienhinh.ingest.forkserver_guard``, which the pool preloads into it). A thread polling
  ``os.getppid()`` rather than PR_SET_PDEATHSIG: the forkserver is started from whichever
  thread of the poll or worker first needs a pool, and PR_SET_PDEATHSIG fires when that
  *thread* ends, which in the long-running worker is not the end of the process;
- the resource tracker ends by itself once every process holding its pipe has ended.

Linux only (prctl); elsewhere :func:`die_with_parent` does nothing and returns False.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

__all__ = ["OWNER_ENV", "alive", "die_with_parent", "watch_parent"]

# The pid of the process that owns the extraction pools, set by it before its forkserver
# starts (which inherits the environment): a helper that starts after its owner was
# already killed would otherwise take whatever adopted it for its parent.
OWNER_ENV = "DIENHINH_POOL_OWNER"

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Have the kernel send ``sig`` to this process when its parent ends. True when the
    request is in place (Linux); if the parent already ended, ``sig`` is sent at once."""
    if not sys.platform.startswith("linux"):
        return False
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        rc = libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return False
    if rc != 0:
        log.warning("prctl(PR_SET_PDEATHSIG) failed: %s", os.strerror(ctypes.get_errno()))
        return False
    if os.getppid() != parent:  # the parent ended before the request was in place
        os.kill(os.getpid(), sig)
    return True


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, killed and not yet reaped, is not running)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch_parent(interval: float = 0.5, *, owner: int | None = None) -> threading.Thread:
    """A daemon thread that ends this process (``os._exit``) once its parent is gone,
    checked every ``interval`` seconds. ``owner``, when given, is the parent it must have:
    if that one already ended (this process was adopted), it ends at once."""
    parent = owner or os.getppid()
    if os.getppid() != parent or not alive(parent):
        os._exit(0)

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(0)

    thread = threading.Thread(target=watch, name="dienhinh-parent-watch", daemon=True)
    thread.start()
    return thread
