"""The app as `pip install .` gives it, away from the checkout: the sign-in page in Dutch and English, a static
file and htmx. Run by .ci/run with the fresh venv's python, from a folder outside the checkout, after
`flask --app inbox db upgrade` (INBOX_DATABASE_URL and INBOX_SECRET_KEY set)."""
import sys
from pathlib import Path

import inbox
from inbox import create_app

checkout = Path(__file__).resolve().parent.parent
assert checkout not in Path(inbox.__file__).resolve().parents, f"inbox imported from the checkout: {inbox.__file__}"

client = create_app().test_client()
for language, text in (("nl", "Inloggen"), ("en", "Sign in")):
    page = client.get("/login", headers={"Accept-Language": language})
    assert page.status_code == 200 and text in page.get_data(as_text=True), (language, page.status_code)
for path, kind in (("/static/app.css", "text/css"), ("/assets/vendor/htmx.min.js", "javascript")):
    asset = client.get(path)
    assert asset.status_code == 200 and kind in asset.content_type and asset.data, (path, asset.status_code)
    asset.close()
print(f"installed app OK: {inbox.__file__}", file=sys.stderr)
