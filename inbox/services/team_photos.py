"""Colleagues' photos for the shop's public team block (seed 004: present the team): chosen by each user on their
account page, shown beside their first name on the contact page while they chose to be shown.

A photo comes in through `uploads.check` (the shop's size limit, programs refused by their bytes), must be an image
by its bytes (PNG, JPEG, GIF or WebP), and is stored re-encoded: turned upright, cut to a square, at most
PHOTO_SIZE pixels, as a JPEG without any metadata (a phone's photo carries the place it was taken in its EXIF).
It is served under a random key that every new photo replaces, never under the user's id.
"""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError

from inbox import clock, filetypes
from inbox.extensions import db
from inbox.i18n import _
from inbox.models import Shop, User, UserPhoto
from inbox.services import uploads

PHOTO_SIZE = 256   # pixels a side: twice the largest the page shows, sharp on a phone


class PhotoError(ValueError):
    """Why a photo was not taken, in words for the user."""


@dataclass(frozen=True)
class TeamMember:
    """One face of the public team block: a first name and, when they chose one, their photo's key."""
    name: str
    photo_key: str | None = None


def portrait(data: bytes) -> bytes | None:
    """The image as a square JPEG of at most PHOTO_SIZE pixels a side, upright, without metadata; None when
    Pillow cannot read it or it is too large to decode safely."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > uploads.MAX_PIXELS:
                return None
            image.draft("RGB", (PHOTO_SIZE * 2, PHOTO_SIZE * 2))   # JPEG: decode at a fraction of full size
            upright = ImageOps.exif_transpose(image)
            square = ImageOps.fit(upright, (min(PHOTO_SIZE, *upright.size),) * 2, method=Image.Resampling.LANCZOS)
            if square.mode in ("RGBA", "LA", "P"):
                rgba = square.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                square = flat
            out = io.BytesIO()
            square.convert("RGB").save(out, "JPEG", quality=85, optimize=True)   # no exif= : nothing carried over
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


def set_photo(user: User, shop: Shop, incoming: uploads.IncomingFile) -> UserPhoto:
    """Check, re-encode and keep the user's photo (replacing one they had, under a new key). The caller commits.

    :raise PhotoError: no file, refused by the upload checks, not an image, or an image we cannot read."""
    taken, problems = uploads.check([incoming], uploads.limits_for(shop))
    if problems:
        raise PhotoError(problems[0])
    if not taken:
        raise PhotoError(_("Choose a photo first."))
    if not filetypes.is_safe_image(taken[0].content_type):
        raise PhotoError(_('"%(name)s" is not a photo: choose a JPEG, PNG, GIF or WebP image.',
                           name=taken[0].filename))
    data = portrait(taken[0].data)
    if data is None:
        raise PhotoError(_('"%(name)s" could not be read as an image.', name=taken[0].filename))
    row = db.session.get(UserPhoto, user.id) or UserPhoto(user_id=user.id, shop_id=user.shop_id)
    row.key, row.data, row.updated_at = secrets.token_urlsafe(16), data, clock.now()
    db.session.add(row)
    return row


def remove_photo(user: User) -> bool:
    """The user takes their photo away; False when there was none. The caller commits."""
    return db.session.execute(sa.delete(UserPhoto).where(UserPhoto.user_id == user.id)).rowcount > 0


def photo_of(user: User) -> UserPhoto | None:
    """The user's own photo (without its bytes), for their account page."""
    return db.session.get(UserPhoto, user.id)


def own_photo_data(user: User) -> bytes | None:
    return db.session.scalar(sa.select(UserPhoto.data).where(UserPhoto.user_id == user.id))


def public_photo(shop_id: int, key: str) -> bytes | None:
    """A photo for the shop's public pages: only of an active user of that shop who chose to be shown."""
    if not key or len(key) > 32:
        return None
    return db.session.scalar(
        sa.select(UserPhoto.data).join(User, User.id == UserPhoto.user_id)
        .where(UserPhoto.key == key, UserPhoto.shop_id == shop_id, User.shop_id == shop_id,
               User.active.is_(True), User.show_on_contact.is_(True)))


def team(shop: Shop) -> list[TeamMember]:
    """The active colleagues who chose to be shown on the contact page: first names, and photos where chosen."""
    rows = db.session.execute(
        sa.select(User.display_name, UserPhoto.key).outerjoin(UserPhoto, UserPhoto.user_id == User.id)
        .where(User.shop_id == shop.id, User.active.is_(True), User.show_on_contact.is_(True))
        .order_by(User.display_name))
    return [TeamMember(name.split()[0], key) for name, key in rows if (name or "").strip()]
