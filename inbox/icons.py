"""The home-screen icons (static/icons/*.png): drawn here, so no icon files come from elsewhere.

`python -m inbox.icons` writes them again; the PNGs are committed so a checkout needs no build step. The
drawing is the brand mark of the top bar: a white envelope on the brand colour, full-bleed with the envelope
inside the central 60 %, so a phone may cut it to a circle or a rounded square ("maskable").
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

BRAND = (0x0F, 0x5F, 0x5C)
WHITE = (0xFF, 0xFF, 0xFF)
SIZES = (180, 192, 512)
FOLDER = Path(__file__).resolve().parent.parent / "static" / "icons"
_SAMPLES = 3  # per axis, for smooth edges


def _white(x: float, y: float) -> bool:
    """Whether the point (0..1 on both axes) is white: the envelope, minus its flap lines."""
    if not (0.2 <= x <= 0.8 and 0.3 <= y <= 0.7):
        return False
    # The flap: two lines from the top corners to the middle, drawn in the brand colour.
    for x0, y0 in ((0.2, 0.3), (0.8, 0.3)):
        dx, dy = 0.5 - x0, 0.53 - y0
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
        if (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2 < 0.028 ** 2:
            return False
    return True


def draw(size: int) -> bytes:
    """The icon as PNG bytes (8-bit RGB)."""
    rows = []
    step = 1 / (size * _SAMPLES)
    for py in range(size):
        row = bytearray([0])  # filter type: none
        for px in range(size):
            hits = sum(_white((px * _SAMPLES + sx + .5) * step, (py * _SAMPLES + sy + .5) * step)
                       for sx in range(_SAMPLES) for sy in range(_SAMPLES))
            share = hits / (_SAMPLES * _SAMPLES)
            row += bytes(round(b + (w - b) * share) for b, w in zip(BRAND, WHITE))
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        (FOLDER / f"icon-{size}.png").write_bytes(draw(size))
        print(f"wrote {FOLDER / f'icon-{size}.png'}")


if __name__ == "__main__":
    main()
