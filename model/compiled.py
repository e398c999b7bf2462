"""Keeping numba's on-disk cache of the compiled engine honest.

numba keys a cached function on the source file that defines it, and on nothing else: a rule
compiled into it from another module (``register_jitable`` functions of :mod:`model.behaviour`,
:mod:`model.physiology`, :mod:`model.learning`, the generator of :mod:`model.rng`, the constants
of :mod:`model.state`) can change while the cached machine code keeps running the old rule
(numba documentation, "Notes on caching": "cache invalidation fails to recognize changes in
functions defined in a different file"). For a research model that is a silent wrong answer
after every edit of a rule, so each module with cached kernels calls :func:`drop_stale_cache`
once at import: it compares a digest of the source of every module it compiles in with the
digest stored next to numba's cache files and, if they differ, flushes the cache of those
kernels so they are compiled afresh (and stores the new digest).
"""

from __future__ import annotations

import hashlib
import inspect
import os
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from numba.core.dispatcher import Dispatcher


def source_fingerprint(modules: Iterable[ModuleType]) -> str:
    """SHA-256 of the source text of ``modules``, in the order given."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(module.__name__.encode())
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()


def cached_dispatchers(namespace: dict) -> list[Dispatcher]:
    """The numba functions with an on-disk cache defined in a module namespace (``globals()``)."""
    return [v for v in namespace.values()
            if isinstance(v, Dispatcher) and getattr(v, "_cache", None) is not None
            and v.py_func.__module__ == namespace["__name__"]]


def drop_stale_cache(dispatchers: Iterable[Dispatcher], modules: Iterable[ModuleType], tag: str) -> bool:
    """Flush the on-disk cache of ``dispatchers`` if the source of ``modules`` changed since it was written.

    ``tag`` names the stamp file (one per calling module). Returns whether anything was flushed.
    A cache directory that cannot be written is left alone (numba then compiles in memory).
    """
    dispatchers = list(dispatchers)
    if not dispatchers:
        return False
    fingerprint = source_fingerprint(modules)
    stamp = Path(dispatchers[0]._cache.cache_path) / f"{tag}.rules-sha256"
    try:
        if stamp.read_text() == fingerprint:
            return False
    except OSError:
        pass
    for f in dispatchers:
        f._cache.flush()
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        tmp = stamp.with_name(f"{stamp.name}.{os.getpid()}.tmp")
        tmp.write_text(fingerprint)
        os.replace(tmp, stamp)  # atomic: concurrent workers never read half a stamp
    except OSError:
        pass
    return True
