"""Dutch ships complete and nothing more: every UI string in the code and templates has a Dutch translation with the
same placeholders, and every Dutch translation is of a string still in use."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _texts(message):
    return [message.id] if isinstance(message.id, str) else list(message.id)


def _translations(message):
    return [message.string] if isinstance(message.string, str) else list(message.string)


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory):
    """The strings the code and templates use (pybabel extract, as the README says) and the Dutch catalogue."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "inbox/translations/babel.cfg"), "-k", "_l", "-o", str(pot), str(ROOT)],
                   check=True, cwd=ROOT, capture_output=True)
    with pot.open("rb") as f:
        source = read_po(f)
    with (ROOT / "inbox/translations/nl/LC_MESSAGES/messages.po").open("rb") as f:
        return source, read_po(f)


def test_every_ui_string_has_a_dutch_translation_with_the_same_placeholders(catalogues):
    source, dutch = catalogues
    missing, broken = [], []
    for message in source:
        if not message.id:
            continue
        translated = dutch.get(message.id)
        if translated is None or translated.fuzzy or not all(_translations(translated)):
            missing.append(_texts(message)[0])
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(_texts(message))))
        if any(set(PLACEHOLDER.findall(text)) != wanted for text in _translations(translated)):
            broken.append(_texts(message)[0])
    assert not missing, f"{len(missing)} strings lack Dutch (run pybabel extract/update, then translate): {missing[:10]}"
    assert not broken, f"placeholders differ in Dutch: {broken[:10]}"


def test_every_dutch_translation_is_of_a_string_still_used(catalogues):
    source, dutch = catalogues
    used = {_texts(message)[0] for message in source if message.id}
    unused = [_texts(message)[0] for message in dutch if message.id and _texts(message)[0] not in used]
    assert not unused, f"{len(unused)} Dutch translations of strings no longer used (remove them): {unused[:10]}"
