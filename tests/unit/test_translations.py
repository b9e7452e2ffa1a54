"""Dutch ships complete: every UI string in the code and templates has a Dutch translation with the same placeholders."""
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _texts(message):
    return [message.id] if isinstance(message.id, str) else list(message.id)


def _translations(message):
    return [message.string] if isinstance(message.string, str) else list(message.string)


def test_every_ui_string_has_a_dutch_translation_with_the_same_placeholders(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "inbox/translations/babel.cfg"), "-k", "_l", "-o", str(pot), str(ROOT)],
                   check=True, cwd=ROOT, capture_output=True)
    with pot.open("rb") as f:
        source = read_po(f)
    with (ROOT / "inbox/translations/nl/LC_MESSAGES/messages.po").open("rb") as f:
        dutch = read_po(f)

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
