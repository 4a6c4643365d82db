"""The vendored front-end files are exactly the ones assets.json lists, with the recorded checksums."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MANIFEST = json.loads((ROOT / "assets.json").read_text(encoding="utf-8"))
VENDOR = ROOT / MANIFEST["target"]
ENTRIES = [(package, entry) for package in MANIFEST["packages"] for entry in package["files"]]


@pytest.mark.parametrize(("package", "entry"), ENTRIES, ids=[entry["to"] for _, entry in ENTRIES])
def test_each_vendored_file_matches_its_checksum(package, entry):
    data = (VENDOR / entry["to"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], (
        f"{entry['to']} is not {package['npm']}@{package['version']}: run `make assets`"
    )


def test_every_package_names_its_source_version_and_integrity():
    for package in MANIFEST["packages"]:
        assert package["name"]
        assert package["licence"]
        assert re.fullmatch(r"(@[a-z0-9-]+/)?[a-z0-9.-]+", package["npm"])
        assert re.fullmatch(r"\d+\.\d+\.\d+", package["version"]), "pin an exact version"
        assert package["integrity"].startswith("sha512-")


def test_every_file_in_the_vendor_folder_is_listed():
    """A file copied in by hand (or left behind by a removed package) fails here."""
    on_disk = {path.relative_to(VENDOR).as_posix() for path in VENDOR.rglob("*") if path.is_file()}
    assert on_disk == {entry["to"] for _, entry in ENTRIES}


def test_the_vendored_versions_are_the_ones_the_files_announce():
    """The manifest's version is the one in the file's own banner, where the library writes one."""
    for package in MANIFEST["packages"]:
        for entry in package["files"]:
            head = (VENDOR / entry["to"]).read_bytes()[:300]
            match = re.search(rb"\sv(\d+\.\d+\.\d+)\s", head)
            if match:
                assert match.group(1).decode() == package["version"], entry["to"]
