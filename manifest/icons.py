"""The app's two icons, drawn in code with the standard library (no image files, no Pillow).

Both show the same shape, a shield with a checkmark, defined on the unit square (u to the right,
v downwards, both 0..1). Each icon maps its pixel centres into that square and asks which part of
the shape a pixel falls in; no anti-aliasing.

- color: 192×192 RGB, a white shield with an accent-coloured checkmark on the accent colour.
- outline: 32×32 RGBA, the shield's outline and the checkmark in white (#FFFFFF) on a fully
  transparent background, as Teams requires.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from functools import cache

ACCENT_COLOR = "#1F5C99"
COLOR_ICON_SIZE = 192
OUTLINE_ICON_SIZE = 32

Pixel = tuple[int, ...]
Point = tuple[float, float]

_ACCENT: Pixel = tuple(bytes.fromhex(ACCENT_COLOR[1:]))
_WHITE: Pixel = (255, 255, 255)
_OPAQUE_WHITE: Pixel = (255, 255, 255, 255)
_TRANSPARENT: Pixel = (0, 0, 0, 0)

# The checkmark: a short stroke down to the right, then a long one up to the right.
_CHECK: tuple[Point, Point, Point] = ((0.29, 0.45), (0.44, 0.60), (0.72, 0.31))


def _in_shield(u: float, v: float, inset: float = 0.0) -> bool:
    """A shield 0.8 wide and 1.0 tall: straight sides, then curving in to a point at the bottom.

    ``inset`` shrinks it (roughly evenly on every side) to draw an outline.
    """
    top, shoulder, bottom = inset, 0.5, 1.0 - 1.8 * inset
    if not top <= v <= bottom:
        return False
    half_width = 0.4 - inset
    if v > shoulder:
        t = (v - shoulder) / (bottom - shoulder)
        half_width *= 1.0 - t * t
    return abs(u - 0.5) <= half_width


def _near_segment(p: Point, a: Point, b: Point, radius: float) -> bool:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    cx, cy = ax + t * dx, ay + t * dy
    return (px - cx) ** 2 + (py - cy) ** 2 <= radius * radius


def _in_check(u: float, v: float, radius: float) -> bool:
    a, b, c = _CHECK
    return _near_segment((u, v), a, b, radius) or _near_segment((u, v), b, c, radius)


def _draw(size: int, margin: float, paint: Callable[[float, float], Pixel]) -> list[list[Pixel]]:
    """Rows of pixels: ``paint`` gets each pixel centre in the unit square inside ``margin``."""
    scale = size * (1.0 - 2.0 * margin)

    def unit(i: int) -> float:
        return (i + 0.5 - size * margin) / scale

    return [[paint(unit(x), unit(y)) for x in range(size)] for y in range(size)]


def encode_png(rows: list[list[Pixel]]) -> bytes:
    """A PNG of 8-bit RGB (3 values per pixel) or RGBA (4 values) rows, unfiltered."""
    height, width, channels = len(rows), len(rows[0]), len(rows[0][0])
    color_type = {3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + bytes(value for pixel in row for value in pixel) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


@cache
def color_icon_png() -> bytes:
    """The 192×192 full-colour icon."""

    def paint(u: float, v: float) -> Pixel:
        if _in_check(u, v, radius=0.075):
            return _ACCENT
        return _WHITE if _in_shield(u, v) else _ACCENT

    return encode_png(_draw(COLOR_ICON_SIZE, margin=0.18, paint=paint))


@cache
def outline_icon_png() -> bytes:
    """The 32×32 outline icon: white on fully transparent."""

    def paint(u: float, v: float) -> Pixel:
        outline = _in_shield(u, v) and not _in_shield(u, v, inset=0.075)
        return _OPAQUE_WHITE if outline or _in_check(u, v, radius=0.05) else _TRANSPARENT

    return encode_png(_draw(OUTLINE_ICON_SIZE, margin=0.03, paint=paint))
