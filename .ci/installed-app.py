"""The app as `pip install .` gives it, away from the checkout: the sign-in page in Dutch and English, a static
file and htmx. Run by .ci/run with the fresh venv's python, from a folder outside the checkout, after
`flask --app inbox db upgrade` (INBOX_DATABASE_URL and INBOX_SECRET_KEY set)."""
import sys
from pathlib import Path

import inbox
from inbox import create_app

checkout = Path(__file__).resolve().parent.parent
assert checkout not in Path(inbox.__file__).resolve().parents, f"inbox imported from the checkout: {inbox.__file__}"

installed = Path(inbox.__file__).resolve().parent


def files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}


for folder in ("templates", "static"):   # every file of the checkout's folder made it into the wheel
    missing = files(checkout / folder) - files(installed / folder)
    assert not missing, f"not in the wheel: {sorted(map(str, missing))[:10]}"

client = create_app().test_client()
for language, text in (("nl", "Inloggen"), ("en", "Sign in")):
    page = client.get("/login", headers={"Accept-Language": language})
    assert page.status_code == 200 and text in page.get_data(as_text=True), (language, page.status_code)
for path, kind in (("/static/app.css", "text/css"), ("/assets/vendor/htmx.min.js", "javascript"),
                   ("/static/manifest.webmanifest", "manifest")):
    asset = client.get(path)
    assert asset.status_code == 200 and kind in asset.content_type and asset.data, (path, asset.status_code)
    asset.close()
print(f"installed app OK: {inbox.__file__}", file=sys.stderr)
