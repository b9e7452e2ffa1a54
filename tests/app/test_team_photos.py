"""The team block's photos (issue 17 §2, seed 004's "present the team"): each user picks one on their account
page; it is checked like any upload, must be an image by its bytes, is stored as a small square JPEG without the
camera's metadata, and is served on the shop's public pages only while its user is active and chose to be shown."""
from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image

from inbox.extensions import db
from inbox.models import UserPhoto


def jpeg_with_gps(width=1200, height=800) -> bytes:
    """A phone photo: large, landscape, and with EXIF that says where it was taken."""
    image = Image.new("RGB", (width, height), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"                       # Make
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 1.0)}     # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(client, data: bytes, name: str = "ik.jpg", lang: str = "en"):
    return client.post("/account/photo", data={"photo": (io.BytesIO(data), name)},
                       headers={"Accept-Language": lang})


def team_block(client, shop) -> str:
    page = client.get(f"/contact/{shop.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    return page.split('id="team"')[1].split("</ul>")[0] if 'id="team"' in page else ""


def test_a_photo_is_stored_square_small_and_without_its_metadata(client, login_as, shop):
    user = login_as("agent")
    original = jpeg_with_gps()
    assert b"PhoneMaker" in original
    assert upload(client, original).status_code == 303
    row = db.session.scalar(sa.select(UserPhoto).where(UserPhoto.user_id == user.id))
    data = db.session.scalar(sa.select(UserPhoto.data).where(UserPhoto.user_id == user.id))
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "JPEG" and stored.size == (256, 256)
        assert not stored.getexif() and b"PhoneMaker" not in data
    assert row.shop_id == shop.id and len(row.key) >= 20
    own = client.get("/account/photo")
    assert own.status_code == 200 and own.mimetype == "image/jpeg"


def test_the_contact_page_shows_the_photo_only_of_who_chose_to_be_shown(client, login_as, shop, staff):
    user = login_as("agent")
    upload(client, jpeg_with_gps())
    key = db.session.scalar(sa.select(UserPhoto.key).where(UserPhoto.user_id == user.id))
    url = f"/contact/{shop.id}/team/{key}.jpg"
    assert key not in team_block(client, shop) and client.get(url).status_code == 404   # not opted in

    staff["agent"].show_on_contact = True
    db.session.commit()
    assert url in team_block(client, shop)
    served = client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/contact/{shop.id + 1}/team/{key}.jpg").status_code == 404   # another shop's address

    staff["agent"].active = False   # a colleague who left
    db.session.commit()
    assert client.get(url).status_code == 404


def test_a_new_photo_gets_a_new_address_and_removing_it_leaves_the_initial(client, login_as, shop, staff):
    user = login_as("agent")
    staff["agent"].show_on_contact = True
    db.session.commit()
    upload(client, jpeg_with_gps())
    first = db.session.scalar(sa.select(UserPhoto.key).where(UserPhoto.user_id == user.id))
    upload(client, jpeg_with_gps(300, 600))
    db.session.expire_all()
    second = db.session.scalar(sa.select(UserPhoto.key).where(UserPhoto.user_id == user.id))
    assert first != second and client.get(f"/contact/{shop.id}/team/{first}.jpg").status_code == 404
    assert client.post("/account/photo/remove").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserPhoto)) == 0
    assert 'class="face"' in team_block(client, shop) and "team/" not in team_block(client, shop)


def test_only_images_by_their_bytes_are_taken(client, login_as, shop):
    login_as("agent")
    pdf = upload(client, b"%PDF-1.7\n" + b"x" * 100, "foto.jpg")
    assert pdf.status_code == 422 and "is not a photo" in pdf.get_data(as_text=True)
    program = upload(client, b"MZ\x90\x00" + b"\x00" * 100, "ik.png")
    assert program.status_code == 422 and "Windows program" in program.get_data(as_text=True)
    broken = upload(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "kapot.png")
    assert broken.status_code == 422 and "could not be read" in broken.get_data(as_text=True)
    empty = client.post("/account/photo", data={})
    assert empty.status_code == 422 and "Choose a photo first." in empty.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserPhoto)) == 0


def test_a_transparent_png_gets_a_white_background(client, login_as, shop):
    user = login_as("agent")
    out = io.BytesIO()
    Image.new("RGBA", (100, 100), (0, 0, 0, 0)).save(out, "PNG")
    assert upload(client, out.getvalue(), "logo.png").status_code == 303
    data = db.session.scalar(sa.select(UserPhoto.data).where(UserPhoto.user_id == user.id))
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.size == (100, 100) and stored.getpixel((50, 50)) == (255, 255, 255)
