"""Benchmark: what attachments cost the server — thumbnails, the checks, the MIME build and the draft-to-message
copy — and what the thread's thumbnails save the browser against showing the images scaled down.

    .venv/bin/python bench/attachments.py            # SQLite in memory
    .venv/bin/python bench/attachments.py --pg       # PostgreSQL (INBOX_BENCH_PG_URL, default
                                                     #   postgresql+psycopg://postgres@127.0.0.1:5432/inbox_bench)
    options: --repeat 5

Images are made here: a 12-megapixel phone photo (4000×3000 JPEG, noisy, so it compresses like a real one) and a
2560×1600 PNG screenshot. Times are medians of --repeat runs on this machine, in milliseconds.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def photo(width=4000, height=3000) -> bytes:
    from PIL import Image, ImageFilter
    noise = Image.effect_noise((width // 4, height // 4), 60).convert("RGB").resize((width, height))
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    Image.blend(noise, gradient, 0.5).filter(ImageFilter.SMOOTH).save(out, "JPEG", quality=90)
    return out.getvalue()


def screenshot(width=2560, height=1600) -> bytes:
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    rnd = random.Random(3)
    for y in range(0, height, 24):
        draw.rectangle((40, y + 4, 40 + rnd.randint(200, width - 80), y + 16), fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from inbox import create_app
    from inbox.extensions import db
    from inbox.models import MailAttachment, Shop, User
    from inbox.schema import install_schema
    from inbox.services import outbox, tickets, uploads
    from inbox.services.uploads import MB, IncomingFile
    from inbox import mailparse

    url = (os.environ.get("INBOX_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/inbox_bench")
           if args.pg else "sqlite://")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    jpeg, png = photo(), screenshot()
    pdf = b"%PDF-1.4\n" + os.urandom(10 * MB - 9)
    rows = []
    with app.test_request_context():
        if args.pg:
            db.drop_all()
        install_schema(db.engine)
        for name, data, kind in (("12 MP photo (JPEG)", jpeg, "image/jpeg"), ("screenshot (PNG)", png, "image/png")):
            thumb = uploads.thumbnail(data, kind)
            rows.append((f"thumbnail of a {name}, {len(data) / 1024:,.0f} KB -> {len(thumb) / 1024:.0f} KB",
                         median_ms(lambda: uploads.thumbnail(data, kind), args.repeat)))
        limits = uploads.Limits(25 * MB, 25 * MB)
        rows.append(("check() of a 10 MB PDF (sniff, program check, size)",
                     median_ms(lambda: uploads.check([IncomingFile("catalogus.pdf", pdf)], limits), args.repeat)))

        shop = Shop(name="Bench Shop")
        db.session.add(shop)
        db.session.flush()
        user = User(shop_id=shop.id, email="agent@bench.example", display_name="Agent", role="agent")
        db.session.add(user)
        ticket = tickets.create_ticket(shop, subject="Bijlagen", body="Vraag", customer_name="Klant",
                                       customer_email="klant@example.com")
        db.session.commit()
        files = [uploads.CheckedFile("catalogus.pdf", "application/pdf", pdf),
                 uploads.CheckedFile("foto.jpg", "image/jpeg", jpeg, uploads.thumbnail(jpeg, "image/jpeg")),
                 uploads.CheckedFile("scherm.png", "image/png", png, uploads.thumbnail(png, "image/png"))]
        total = sum(f.size for f in files)

        def draft_to_message():
            uploads.add_to_draft(ticket, user, files)
            db.session.flush()
            message = tickets.add_note(ticket, shop, "Bijlagen.", by=user)
            db.session.flush()
            uploads.move_draft_to_message(ticket, user, message)
            db.session.commit()
        rows.append((f"store {total / MB:.1f} MB on a draft, then move it to the message (in the database)",
                     median_ms(draft_to_message, args.repeat)))

        message_id = db.session.scalar(db.select(MailAttachment.message_id).limit(1))

        def build_mime():
            mail = mailparse.build_reply(from_addr="shop@bench.example", from_name="Bench", to_addr="klant@example.com",
                                         to_name="Klant", subject="Bijlagen", body_text="Zie bijlage.",
                                         message_id="<bench@bench.example>", ticket_id=ticket.id)
            outbox.attach_files(mail, uploads.message_files(message_id, shop.id))
            return mail.as_bytes()
        size = len(build_mime())
        rows.append((f"load the files and build the MIME mail ({size / MB:.1f} MB on the wire)",
                     median_ms(build_mime, args.repeat)))

    print(f"attachments on {'PostgreSQL' if args.pg else 'SQLite'}, median of {args.repeat}:")
    for what, ms in rows:
        print(f"  {ms:8.1f} ms  {what}")
    thumbs = len(uploads.thumbnail(jpeg, "image/jpeg")) * 4 + len(uploads.thumbnail(png, "image/png"))
    print(f"a thread with four such photos and one screenshot: thumbnails {thumbs / 1024:.0f} KB to the browser, "
          f"against {(len(jpeg) * 4 + len(png)) / MB:.1f} MB for the images scaled down by CSS")


if __name__ == "__main__":
    main()
