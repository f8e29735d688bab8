"""An in-process LRU of encoded tiles, bounded by bytes rather than entries.

Keys contain the layer's data version, so a write (which bumps the version) makes every
older entry unreachable without any invalidation message; the old entries simply age out.
The gzip form of a tile is made once, when it is rendered, and kept beside the plain bytes,
so a warm hit never compresses again.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tile:
    """A rendered tile: body bytes, how many features it holds, whether it was cut."""

    body: bytes
    features: int
    truncated: bool
    version: str
    gzipped: bytes | None = field(default=None, repr=False)

    def compress(self, min_bytes: int) -> Tile:
        """Add the gzip form (level 5: most of the gain, a third of level 9's time)."""
        if self.gzipped is None and len(self.body) >= min_bytes:
            self.gzipped = gzip.compress(self.body, compresslevel=5, mtime=0)
        return self

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"") + 200


class ByteLRU:
    """Least-recently-used map of ``Tile`` objects holding at most ``capacity`` bytes."""

    def __init__(self, capacity: int, entry_max: int) -> None:
        self.capacity = capacity
        self.entry_max = entry_max
        self._items: OrderedDict[Any, Tile] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> Tile | None:
        with self._lock:
            tile = self._items.get(key)
            if tile is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return tile

    def put(self, key: Any, tile: Tile) -> None:
        """Store ``tile`` (a tile bigger than ``entry_max`` or the whole cache is skipped)."""
        size = tile.size
        if self.capacity <= 0 or size > min(self.entry_max, self.capacity):
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._items[key] = tile
            self._bytes += size
            while self._bytes > self.capacity and self._items:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= evicted.size

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
