"""Files people attach: checked (size, programs by content), typed, given a thumbnail, and stored in the database.

Reused wherever a file comes in through a form: the composer (a reply or a note, its draft, a template's standard
attachment) and the customer's reply box. The flow is always `check` → store: `check` answers the files it takes
and one message per file it refuses, so the caller can keep the good ones and show the rest, never a 500.
The shop's limits (Shop.attachment_file_mb / attachment_message_mb) apply per file and to a message's files
together.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import format_decimal
from PIL import Image, ImageOps, UnidentifiedImageError

from inbox import clock, filetypes
from inbox.extensions import db
from inbox.i18n import _, lazy_gettext as _l
from inbox.models import MailAttachment, Message, ReplyTemplate, Shop, Ticket, Upload, User

MB = 1024 * 1024
DEFAULT_FILE_MB, DEFAULT_MESSAGE_MB = 10, 25
# What an owner may set: a mail server takes about 35 MB with the base64 overhead, and one request carries at most
# MAX_CONTENT_LENGTH (32 MB) of files without JavaScript.
MAX_FILE_MB, MAX_MESSAGE_MB = 25, 30
MAX_FILES = 20

# Thumbnails: at most this box, twice the 120 px the thread shows (sharp on a phone); images larger than
# MAX_PIXELS get none (a "decompression bomb" would cost the server seconds and gigabytes).
THUMB_BOX = (240, 240)
MAX_PIXELS = 50_000_000

PROGRAM_KINDS = {"windows": _l("a Windows program"), "linux": _l("a Linux program"), "macos": _l("a macOS program"),
                 "script": _l("a script"), "shortcut": _l("a Windows shortcut"), "name": _l("a program or script")}


@dataclass(frozen=True)
class Limits:
    """Bytes per file, bytes for all files of one message together, and how many files a message takes."""
    per_file: int
    per_message: int
    files: int = MAX_FILES

    @property
    def file_mb(self) -> int:
        return self.per_file // MB

    @property
    def message_mb(self) -> int:
        return self.per_message // MB


def limits_for(shop: Shop) -> Limits:
    return Limits((shop.attachment_file_mb or DEFAULT_FILE_MB) * MB, (shop.attachment_message_mb or DEFAULT_MESSAGE_MB) * MB)


@dataclass
class IncomingFile:
    """A file as the request brought it: the name the browser sent (untrusted) and the bytes. `size` is what the
    browser sent; it is larger than `data` only for a file the request was too large to keep (upload_limits)."""
    filename: str
    data: bytes
    size: int = -1

    def __post_init__(self):
        if self.size < len(self.data):
            self.size = len(self.data)

    @property
    def cut(self) -> bool:
        return self.size > len(self.data)


def read_files(storages) -> list[IncomingFile]:
    """The files of a form's file input (werkzeug FileStorage objects), read whole and closed: a large one is
    spooled to a temporary file, which goes back at once. The limits are checked on these bytes, never on a size
    or type the browser claimed; a file the request could not keep (upload_limits) comes without bytes and with
    the size it had."""
    files = []
    for storage in storages:
        try:
            if getattr(storage.stream, "cut", False):
                files.append(IncomingFile(storage.filename or "", b"", storage.stream.size))
            else:
                files.append(IncomingFile(storage.filename or "", storage.read()))
        finally:
            storage.close()
    return files


@dataclass
class CheckedFile:
    """A file we take: a clean name, the type its bytes prove (filetypes.content_type) and, for an image, a
    thumbnail."""
    filename: str
    content_type: str
    data: bytes
    thumbnail: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.data)


def file_size(size: int) -> str:
    """"840 KB", "3.4 MB" (in Dutch "3,4 MB"): binary units, as the limits are."""
    if size < 1024:
        return _("%(n)s bytes", n=size)
    if size < MB:
        return f"{format_decimal(round(size / 1024))} KB"
    return f"{format_decimal(round(size / MB, 1))} MB"


def check(files: Iterable[IncomingFile], limits: Limits, *, already_bytes: int = 0, already_count: int = 0,
          ) -> tuple[list[CheckedFile], list[str]]:
    """The files to take, and one message per file refused: empty, over the per-file limit, not fitting in the
    message's limit next to the files already on it, one too many, or a program (by its bytes, or a name like
    .exe/.js). Files without a name and without bytes (an empty file input) are skipped silently."""
    taken, problems = [], []
    total, count = already_bytes, already_count
    for incoming in files:
        if not incoming.filename and not incoming.size:
            continue
        name = filetypes.clean_name(incoming.filename)
        size = incoming.size
        kind = filetypes.refusal(name, incoming.data)
        if kind:
            problems.append(_('"%(name)s" was not added: it is %(kind)s, and those are never sent, to keep customers '
                              'safe.', name=name, kind=PROGRAM_KINDS[kind]))
        elif size == 0:
            problems.append(_('"%(name)s" was not added: the file is empty.', name=name))
        elif size > limits.per_file:
            problems.append(_('"%(name)s" is too large (%(size)s): a file can be at most %(limit)s MB.',
                              name=name, size=file_size(size), limit=limits.file_mb))
        elif total + size > limits.per_message:
            problems.append(_('"%(name)s" does not fit: the files of one message can be at most %(limit)s MB '
                              'together.', name=name, limit=limits.message_mb))
        elif count >= limits.files:
            problems.append(_('"%(name)s" was not added: a message can carry at most %(n)s files.',
                              name=name, n=limits.files))
        elif incoming.cut:   # the request had no room left for it (refused files before it took the room)
            problems.append(_('"%(name)s" does not fit: the files of one message can be at most %(limit)s MB '
                              'together.', name=name, limit=limits.message_mb))
        else:
            content_type = filetypes.content_type(name, incoming.data)
            taken.append(CheckedFile(name, content_type, incoming.data, thumbnail(incoming.data, content_type)))
            total, count = total + size, count + 1
    return taken, problems


def thumbnail(data: bytes, content_type: str) -> bytes | None:
    """A small rendering of a safe image (PNG when it has transparency, else JPEG), or None: not an image we show,
    or one Pillow cannot read or that is too large to decode safely."""
    if not filetypes.is_safe_image(content_type):
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.draft("RGB", (THUMB_BOX[0] * 2, THUMB_BOX[1] * 2))   # JPEG: decode at a fraction of full size
            small = ImageOps.exif_transpose(image)   # a phone photo taken upright shows upright
            small.thumbnail(THUMB_BOX)
            out = io.BytesIO()
            if small.mode in ("RGBA", "LA", "P") and ("A" in small.mode or "transparency" in small.info):
                small.convert("RGBA").save(out, "PNG", optimize=True)
            else:
                small.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


# --------------------------------------------------------------------------- on a message

def store_on_message(message: Message, files: Iterable[CheckedFile]) -> list[MailAttachment]:
    """Keep checked files on a message (a reply, a note, or a customer's message). The caller commits."""
    rows = [MailAttachment(shop_id=message.shop_id, ticket_id=message.ticket_id, message_id=message.id,
                           filename=f.filename, content_type=f.content_type, size=f.size, data=f.data,
                           thumbnail=f.thumbnail) for f in files]
    db.session.add_all(rows)
    return rows


def message_files(message_id: int, shop_id: int) -> list[MailAttachment]:
    """A message's files with their bytes, in the order they were added (what the e-mail carries)."""
    return list(db.session.scalars(
        sa.select(MailAttachment)
        .where(MailAttachment.message_id == message_id, MailAttachment.shop_id == shop_id,
               MailAttachment.data.is_not(None))
        .order_by(MailAttachment.id).options(so.undefer(MailAttachment.data))))


# --------------------------------------------------------------------------- on a draft

def _draft_filter(ticket: Ticket, user: User):
    return (Upload.shop_id == ticket.shop_id, Upload.ticket_id == ticket.id, Upload.user_id == user.id,
            Upload.template_id.is_(None))


def draft_files(ticket: Ticket, user: User) -> list[Upload]:
    """The files waiting on this user's draft of a reply or note on this ticket (without their bytes)."""
    return list(db.session.scalars(sa.select(Upload).where(*_draft_filter(ticket, user)).order_by(Upload.id)))


def draft_usage(ticket: Ticket, user: User) -> tuple[int, int]:
    """(bytes, count) of the files already on the draft: what a new file must fit next to."""
    size, count = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Upload.size), 0), sa.func.count(Upload.id))
        .where(*_draft_filter(ticket, user))).one()
    return int(size), int(count)


def add_to_draft(ticket: Ticket, user: User, files: Iterable[CheckedFile]) -> list[Upload]:
    """Keep checked files on the user's draft until it is sent. The caller commits."""
    rows = [Upload(shop_id=ticket.shop_id, ticket_id=ticket.id, user_id=user.id, filename=f.filename,
                   content_type=f.content_type, size=f.size, data=f.data, thumbnail=f.thumbnail) for f in files]
    db.session.add_all(rows)
    return rows


def check_for_draft(ticket: Ticket, user: User, shop: Shop, files: Iterable[IncomingFile],
                    ) -> tuple[list[CheckedFile], list[str]]:
    """`check` against the shop's limits, counting what is already on the draft."""
    size, count = draft_usage(ticket, user)
    return check(files, limits_for(shop), already_bytes=size, already_count=count)


def keep_on_draft(ticket: Ticket, user: User, shop: Shop, files: Iterable[IncomingFile]) -> list[str]:
    """Check files and keep the good ones on the user's draft; answers why the others were refused. The caller
    commits."""
    taken, problems = check_for_draft(ticket, user, shop, files)
    add_to_draft(ticket, user, taken)
    return problems


def remove_from_draft(ticket: Ticket, user: User, upload_id: int) -> bool:
    """Take one file off the draft; False when it is not (or no longer) there. The caller commits."""
    result = db.session.execute(sa.delete(Upload).where(Upload.id == upload_id, *_draft_filter(ticket, user)))
    return result.rowcount > 0


def move_draft_to_message(ticket: Ticket, user: User, message: Message) -> int:
    """Sending: the draft's files become the message's, copied inside the database (the bytes never pass through
    the app), then leave the draft. Answers how many. The caller commits, with the message."""
    columns = ("shop_id", "ticket_id", "filename", "content_type", "size", "data", "thumbnail", "created_at")
    source = (sa.select(Upload.shop_id, Upload.ticket_id, Upload.filename, Upload.content_type, Upload.size,
                        Upload.data, Upload.thumbnail, Upload.created_at, sa.literal(message.id))
              .where(*_draft_filter(ticket, user)).order_by(Upload.id))
    db.session.execute(sa.insert(MailAttachment).from_select([*columns, "message_id"], source))
    return db.session.execute(sa.delete(Upload).where(*_draft_filter(ticket, user))).rowcount


def draft_file(shop_id: int, user: User, upload_id: int, *, with_data: bool = False,
               thumbnail: bool = False) -> Upload | None:
    """One file of the user's own drafts (or one of the shop's templates' files); None for anyone else's."""
    query = sa.select(Upload).where(Upload.id == upload_id, Upload.shop_id == shop_id,
                                    sa.or_(Upload.user_id == user.id, Upload.template_id.is_not(None)))
    if with_data:
        query = query.options(so.undefer(Upload.data))
    if thumbnail:
        query = query.options(so.undefer(Upload.thumbnail))
    return db.session.scalar(query)


def thumbnail_of_stored(row: MailAttachment) -> bytes | None:
    """A thumbnail made now for a file kept without one (a customer's image): typed by its bytes, as the name
    and type in their mail may say anything."""
    data = db.session.scalar(sa.select(MailAttachment.data).where(MailAttachment.id == row.id))
    if not data:
        return None
    return thumbnail(data, filetypes.sniff(data) or "")


# --------------------------------------------------------------------------- on a reply template

def template_files(template: ReplyTemplate) -> list[Upload]:
    return list(db.session.scalars(sa.select(Upload).where(Upload.template_id == template.id,
                                                           Upload.shop_id == template.shop_id).order_by(Upload.id)))


def template_usage(template: ReplyTemplate) -> tuple[int, int]:
    size, count = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Upload.size), 0), sa.func.count(Upload.id))
        .where(Upload.template_id == template.id, Upload.shop_id == template.shop_id)).one()
    return int(size), int(count)


def add_to_template(template: ReplyTemplate, shop: Shop, files: Iterable[IncomingFile]) -> list[str]:
    """Check files against the shop's limits and keep the good ones as the template's standard attachments;
    answers the refusals. The caller commits."""
    size, count = template_usage(template)
    taken, problems = check(files, limits_for(shop), already_bytes=size, already_count=count)
    db.session.add_all(Upload(shop_id=template.shop_id, template_id=template.id, filename=f.filename,
                              content_type=f.content_type, size=f.size, data=f.data, thumbnail=f.thumbnail)
                       for f in taken)
    return problems


def remove_from_template(template: ReplyTemplate, upload_id: int) -> bool:
    result = db.session.execute(sa.delete(Upload).where(Upload.id == upload_id, Upload.template_id == template.id,
                                                        Upload.shop_id == template.shop_id))
    return result.rowcount > 0


def template_to_draft(template: ReplyTemplate, ticket: Ticket, user: User) -> int:
    """Inserting a template puts its standard attachments on the draft, once: a file of the same name and size
    already there is not added again. Copied inside the database. Answers how many were added."""
    on_draft = {(u.filename, u.size) for u in draft_files(ticket, user)}
    ids = [u.id for u in template_files(template) if (u.filename, u.size) not in on_draft]
    if not ids:
        return 0
    columns = ("shop_id", "ticket_id", "user_id", "filename", "content_type", "size", "data", "thumbnail",
               "created_at")
    source = (sa.select(Upload.shop_id, sa.literal(ticket.id), sa.literal(user.id), Upload.filename,
                        Upload.content_type, Upload.size, Upload.data, Upload.thumbnail,
                        sa.literal(clock.now(), Upload.__table__.c.created_at.type))
              .where(Upload.id.in_(ids)).order_by(Upload.id))
    db.session.execute(sa.insert(Upload).from_select(list(columns), source))
    return len(ids)
