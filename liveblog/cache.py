"""The cache of a machine without Redis: Django's file cache, with an ``add`` that is atomic.

Django's ``FileBasedCache.add`` checks whether the key exists, then writes it: two
processes can both succeed. The page cache relies on ``add`` to let one process
render a missing page while the others wait (``coverage.caching.make_once``), so
here ``add`` holds a lock file, created with ``O_EXCL`` (one creator wins, on any
local file system), around the check and the write.
"""

import os
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

# A lock file older than this was left by a process that died holding it.
STALE_LOCK_SECONDS = 10


class FileCache(FileBasedCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        lock = self._key_to_file(key, version) + ".lock"
        self._createdir()
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            self._drop_if_stale(lock)
            return False
        try:
            if self.has_key(key, version):
                return False
            self.set(key, value, timeout, version)
            return True
        finally:
            os.close(descriptor)
            os.remove(lock)

    def _drop_if_stale(self, lock):
        try:
            if time.time() - os.path.getmtime(lock) > STALE_LOCK_SECONDS:
                os.remove(lock)
        except FileNotFoundError:
            pass
