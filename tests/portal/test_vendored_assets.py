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


def folder(package: dict) -> Path:
    """Served packages go to the manifest's target; test-only tools (axe-core) to their own."""
    return ROOT / package.get("target", MANIFEST["target"])


@pytest.mark.parametrize(("package", "entry"), ENTRIES, ids=[entry["to"] for _, entry in ENTRIES])
def test_each_vendored_file_matches_its_checksum(package, entry):
    data = (folder(package) / entry["to"]).read_bytes()
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
    for target in {folder(package) for package in MANIFEST["packages"]}:
        on_disk = {path.relative_to(target).as_posix() for path in target.rglob("*") if path.is_file()}
        assert on_disk == {entry["to"] for package, entry in ENTRIES if folder(package) == target}


def test_test_only_tools_are_not_served():
    """axe-core runs in the browser tests only: it stays out of the static files users get."""
    for package in MANIFEST["packages"]:
        if package.get("target"):
            assert not folder(package).is_relative_to(ROOT / "portal"), package["npm"]
            assert not (VENDOR / package["npm"]).exists()


def test_the_vendored_versions_are_the_ones_the_files_announce():
    """The manifest's version is the one in the file's own banner, where the library writes one."""
    for package in MANIFEST["packages"]:
        for entry in package["files"]:
            head = (folder(package) / entry["to"]).read_bytes()[:300]
            match = re.search(rb"\sv(\d+\.\d+\.\d+)\s", head)
            if match:
                assert match.group(1).decode() == package["version"], entry["to"]
