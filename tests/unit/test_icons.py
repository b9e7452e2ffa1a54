"""The home-screen icons: the manifest's icons exist, are the size it says, and show the white envelope on the
brand colour; the committed PNGs are what inbox/icons.py draws."""
import json
import struct
import zlib
from pathlib import Path

import pytest

from inbox import icons

STATIC = Path(__file__).resolve().parents[2] / "static"


def pixels(data: bytes):
    """(width, height, rows of RGB tuples) of an 8-bit RGB PNG without filters, as inbox/icons.py writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 2)
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 3 * width
    rows = [[tuple(raw[y * stride + 1 + 3 * x:y * stride + 4 + 3 * x]) for x in range(width)] for y in range(height)]
    return width, height, rows


def test_manifest_names_the_app_its_start_page_and_icons():
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text())
    assert manifest["name"] == "Seller Inbox" and manifest["start_url"].endswith("tickets")
    assert manifest["theme_color"] == "#0f5f5c" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


@pytest.mark.parametrize("size", icons.SIZES)
def test_icon_is_a_white_envelope_on_the_brand_colour(size):
    width, height, rows = pixels((STATIC / "icons" / f"icon-{size}.png").read_bytes())
    assert (width, height) == (size, size)
    assert rows[2][2] == icons.BRAND and rows[-3][-3] == icons.BRAND
    assert rows[int(size * .65)][size // 2] == icons.WHITE  # the envelope, below the flap
    assert rows[int(size * .5)][int(size * .5)] != icons.WHITE  # the flap's point


def test_committed_icon_is_what_the_script_draws():
    assert (STATIC / "icons" / "icon-180.png").read_bytes() == icons.draw(180)
