"""What a file is comes from its bytes: programs are refused whatever their name, images are recognised by
their signature, and a name cannot make a file look like something a viewer would trust."""
from __future__ import annotations

import pytest

from inbox import filetypes

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 20
PDF = b"%PDF-1.4\n%..."


@pytest.mark.parametrize(("data", "kind"), [
    (b"MZ\x90\x00\x03", "windows"),
    (b"\x7fELF\x02\x01\x01", "linux"),
    (b"\xcf\xfa\xed\xfe\x07\x00", "macos"),
    (b"\xfe\xed\xfa\xce", "macos"),
    (b"\xca\xfe\xba\xbe\x00\x00", "macos"),
    (b"#!/bin/sh\nrm -rf ~\n", "script"),
    (b"\xef\xbb\xbf#!/usr/bin/env python\n", "script"),
    (b"\x4c\x00\x00\x00\x01\x14\x02\x00\x00", "shortcut"),
])
def test_programs_are_recognised_by_their_bytes_whatever_their_name(data, kind):
    assert filetypes.refusal("factuur.pdf", data) == kind
    assert filetypes.refusal("foto.jpg", data) == kind


@pytest.mark.parametrize("name", ["setup.exe", "invoice.pdf.exe", "run.JS", "x.bat.", "label.lnk", "tool.jar",
                                  "install.sh"])
def test_a_program_name_is_refused_even_when_the_bytes_look_harmless(name):
    assert filetypes.refusal(name, b"hello") == "name"


@pytest.mark.parametrize(("name", "data"), [("factuur.pdf", PDF), ("foto.png", PNG), ("notes.txt", b"Mz is fine"),
                                           ("data.csv", b"a;b\n1;2\n"), ("mz.txt", b"mz lower case")])
def test_ordinary_files_pass(name, data):
    assert filetypes.refusal(name, data) is None


def test_the_type_comes_from_the_bytes_not_the_name():
    assert filetypes.content_type("scan.pdf", JPEG) == "image/jpeg"
    assert filetypes.content_type("a", PNG) == "image/png"
    assert filetypes.content_type("factuur.pdf", PDF) == "application/pdf"
    assert filetypes.content_type("x.webp", b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    # A name promising an image or a PDF the bytes do not deliver: nothing a viewer would trust.
    assert filetypes.content_type("foto.png", b"<html><script>alert(1)</script>") == "application/octet-stream"
    assert filetypes.content_type("factuur.pdf", b"<html>") == "application/octet-stream"
    assert filetypes.content_type("lijst.csv", b"a;b") == "text/csv"
    assert filetypes.content_type("zonder-extensie", b"...") == "application/octet-stream"


def test_only_raster_images_are_safe_to_show():
    assert filetypes.is_safe_image("image/png") and filetypes.is_safe_image("image/webp")
    assert not filetypes.is_safe_image("image/svg+xml") and not filetypes.is_safe_image("text/html")


@pytest.mark.parametrize(("given", "kept"), [
    ("C:\\Users\\anna\\Retour label.pdf", "Retour label.pdf"),
    ("../../etc/passwd", "passwd"),
    ("Überweisung\x00 März.pdf", "Überweisung März.pdf"),
    ("U\u0308berweisung.pdf", "Überweisung.pdf"),     # decomposed (as macOS sends it) becomes one character
    ("", "file"), ("...", "file"),
    ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
])
def test_names_are_cleaned_but_keep_what_the_customer_should_see(given, kept):
    assert filetypes.clean_name(given) == kept


def test_the_demo_return_conditions_are_a_well_formed_pdf():
    from inbox.demo import documents

    name, data = documents.return_conditions("nl", "Demo Shop (Zwolle)")
    assert name == "Retourvoorwaarden.pdf" and filetypes.content_type(name, data) == "application/pdf"
    assert filetypes.refusal(name, data) is None and data.endswith(b"%%EOF\n")
    # The cross-reference table points at each object, as a reader looks them up.
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start:].startswith(b"xref\n")
    offsets = [int(line[:10]) for line in data[start:].split(b"\n")[3:8]]
    assert [data[o:].split(b"\n")[0] for o in offsets] == [b"%d 0 obj" % n for n in range(1, 6)]
    assert b"(Demo Shop \\(Zwolle\\))" in data
