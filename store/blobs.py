"""Content-addressed, durable file store for raw messages and attachments.

A blob lives at ``ROOT/ab/cd/<sha256>``. Writes go to a temporary file in the same
folder, are fsync'ed, then renamed into place, and the folder is fsync'ed: after
:meth:`BlobStore.put` returns, the bytes survive a crash or a power cut. Writing the same
content twice is free and safe, so a retried or concurrent store never duplicates.
File names from mail never touch the file system here: only hashes do.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import itertools
import os
import re
import stat
from pathlib import Path

from dienhinh.core.errors import StorageError

__all__ = ["BlobStore", "sha256_hex"]


# A sha256 hex digest as this store names files: 64 lowercase hex digits, nothing else.
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_syncfs() -> ctypes._NamedFuncPointer | None:
    """Linux's syncfs(2): flush one file system with one call (Python has no wrapper)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        func = libc.syncfs
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int]
    func.restype = ctypes.c_int
    return func


_SYNCFS = _load_syncfs()


# Temporary names: ``.tmp-<pid>-<n>``, created exclusively (``O_EXCL``, mode 0600, as
# tempfile.mkstemp makes them; a name left by a crashed process is skipped), without
# mkstemp's random name drawn in Python for every blob.
_TEMP_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_TEMP_COUNTER = itertools.count()


def _temp_file(folder: Path) -> tuple[int, str]:
    pid = os.getpid()
    for _attempt in range(10_000):
        name = f"{folder}/.tmp-{pid}-{next(_TEMP_COUNTER)}"
        try:
            return os.open(name, _TEMP_FLAGS, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


class BlobStore:
    def __init__(self, root: Path, *, durable: bool = True) -> None:
        self.root = root
        self.durable = durable

    def path(self, sha: str) -> Path:
        if not _SHA256_HEX.fullmatch(sha):
            raise ValueError(f"not a sha256 hex digest: {sha!r}")
        return self.root.joinpath(sha[:2], sha[2:4], sha)

    def sync(self) -> None:
        """Make every blob written so far durable, at once.

        Writing a batch of messages with ``durable=False`` and then calling this costs one
        syncfs(2) instead of two fsyncs per message; where syncfs is unavailable every file
        system is flushed with sync(2).
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root, os.O_RDONLY)
        except OSError as err:
            raise StorageError(f"cannot sync blob store {self.root}: {err.strerror}") from err
        try:
            if _SYNCFS is not None:
                if _SYNCFS(fd) != 0:
                    code = ctypes.get_errno()
                    raise StorageError(f"cannot sync blob store {self.root}: {os.strerror(code)}")
            else:
                os.sync()
        finally:
            os.close(fd)

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def read(self, sha: str) -> bytes:
        return self.path(sha).read_bytes()

    def put(self, data: bytes, sha: str | None = None, *, durable: bool | None = None) -> str:
        """Store ``data`` and return its sha256; when durable (the store's default unless
        given) the bytes are fsync'ed before this returns.

        ``durable=False`` is for derived files (attachments and images cut out of a raw
        message that is itself stored durably): after a crash they are re-created from the
        raw bytes by reprocessing, so they skip the two fsyncs that dominate small writes.
        Raises StorageError (transient: disk full, permissions) with the reason.
        """
        durable = self.durable if durable is None else durable
        sha = sha or sha256_hex(data)
        target = self.path(sha)
        try:
            st = target.stat()  # one stat: is_file() and then stat() were two
        except OSError:
            pass
        else:
            if stat.S_ISREG(st.st_mode) and st.st_size == len(data):
                return sha
        folder = target.parent
        tmp_name = ""
        try:
            try:
                fd, tmp_name = _temp_file(folder)
            except FileNotFoundError:  # the folder's first blob: made, then tried again
                folder.mkdir(parents=True, exist_ok=True)
                fd, tmp_name = _temp_file(folder)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                if durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            Path(tmp_name).replace(target)
            tmp_name = ""
            if durable:
                dir_fd = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        except OSError as err:
            reason = "disk full" if err.errno in (errno.ENOSPC, errno.EDQUOT) else err.strerror
            raise StorageError(f"cannot store blob {sha[:12]} under {self.root}: {reason}") from err
        finally:
            if tmp_name:
                with contextlib.suppress(OSError):
                    Path(tmp_name).unlink()
        return sha
