"""Reading a FeatureCollection feature by feature, so the database can start on the first
chunk while the rest of the file is still being parsed.

``json.loads`` of a 100,000-feature file takes about a second in which nothing else can
happen. Here the document's top-level members are read one at a time with
``JSONDecoder.raw_decode`` (the same C parser); on reaching ``"features"`` the array is parsed
one feature per call and handed out in chunks. A syntax error anywhere — also in the last
feature — still refuses the whole file (the caller rolls back what earlier chunks wrote).

A legacy ``crs`` member after the features (valid JSON, but the CRS would then be known too
late) sends the file down the plain ``json.loads`` path instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from mapservice.capture.imports.geojson import _legacy_crs, load_features, malformed
from mapservice.capture.imports.table import empty_file

_DECODER = json.JSONDecoder()
_FEATURE = re.compile(r'"type"\s*:\s*"Feature"')
_SPACE = re.compile(r"[ \t\n\r]*")


class FeatureStream:
    """The features of a GeoJSON document, in chunks; :attr:`crs` is known before the first."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        self.crs: int | None = None
        self._list: list[Any] | None = None
        try:
            self.text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise malformed(name, f"kein UTF-8 / not UTF-8 ({exc.reason})") from None
        if not self.text.strip():
            raise empty_file(name)
        self.pos = self._header()

    def _where(self, pos: int) -> str:
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return f" (Zeile/line {line}, Spalte/column {column})"

    def _skip(self, pos: int) -> int:
        return _SPACE.match(self.text, pos).end()  # type: ignore[union-attr]

    def _expect(self, pos: int, chars: str) -> int:
        pos = self._skip(pos)
        if pos >= len(self.text) or self.text[pos] not in chars:
            found = self.text[pos : pos + 10] or "Dateiende / end of file"
            raise malformed(self.name, f"erwartet / expected {chars!r}, nicht / not {found!r}"
                            + self._where(pos))  # fmt: skip
        return pos + 1

    def _value(self, pos: int) -> tuple[Any, int]:
        pos = self._skip(pos)
        try:
            return _DECODER.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            raise malformed(self.name, exc.msg + self._where(exc.pos)) from None

    def _header(self) -> int:
        """Read members up to ``features``; returns the position inside the array."""
        start = self._skip(0)
        if self.text[start] != "{":
            return self._whole()
        pos, members = start + 1, {}
        while True:
            if self.text[self._skip(pos)] == "}":
                return self._whole()  # no features member: a single Feature or an error
            key, pos = self._value(pos)
            pos = self._expect(pos, ":")
            if key == "features":
                break
            members[key], pos = self._value(pos)
            pos = self._expect(pos, ",}")
            if self.text[pos - 1] == "}":
                return self._whole()
        later_crs = self.text.find('"crs"', pos) != -1
        if members.get("type") not in (None, "FeatureCollection") or later_crs:
            return self._whole()
        self.crs = _legacy_crs(members.get("crs"))
        pos = self._expect(pos, "[")
        if self.text[self._skip(pos)] == "]":
            raise empty_file(self.name)
        return pos

    def _whole(self) -> int:
        """Anything unusual: parse the document at once (and get its precise error)."""
        self._list, self.crs = load_features(self.text.encode(), self.name)
        return 0

    def estimate(self) -> int:
        """About how many features there are (for a progress bar only)."""
        if self._list is not None:
            return len(self._list)
        return len(_FEATURE.findall(self.text, self.pos))

    def chunks(self, size: int) -> Iterator[list[Any]]:
        """Lists of up to ``size`` features, in file order."""
        if self._list is not None:
            for start in range(0, len(self._list), size):
                yield self._list[start : start + size]
            return
        pos, chunk = self.pos, []
        while True:
            feature, pos = self._value(pos)
            chunk.append(feature)
            pos = self._expect(pos, ",]")
            if len(chunk) == size:
                yield chunk
                chunk = []
            if self.text[pos - 1] == "]":
                break
        self._expect(pos, ",}")  # members after the features hold nothing we need
        if chunk:
            yield chunk
