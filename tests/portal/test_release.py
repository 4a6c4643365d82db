"""The release digest that keys cached renderings when a deployment names no PORTAL_RELEASE: the
same for every process of one release, wherever it is checked out, and changed by whatever
changes rendered output (the project's code, templates, compiled translations, the static
manifest)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from config.release import release_digest

APPS = ["django.contrib.admin", "portal.admin_site.PortalAdminConfig", "products"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A checkout: project templates, an app's templates, translations and collected static files."""
    base = tmp_path / "checkout"
    files = {
        "templates/base.html": "<title>{% block title %}{% endblock %}</title>",
        "templates/includes/_footer.html": "<footer>desk</footer>",
        "products/templates/products/_card.html": "<div>{{ product }}</div>",
        "products/models.py": "# the app's code",
        "config/urls.py": "# the project's URLs",
        "tests/test_pages.py": "# not rendered with",
        "locale/fa/LC_MESSAGES/django.po": 'msgid "desk"\nmsgstr "میز"\n',
        "locale/fa/LC_MESSAGES/django.mo": "compiled desk",
        "portal/locale/fa/LC_MESSAGES/django.mo": "compiled portal",
        "staticfiles/staticfiles.json": '{"paths": {"portal.css": "portal.1a2b.css"}}',
    }
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text, encoding="utf-8")
    return base


def digest(base: Path) -> str:
    return release_digest(
        base_dir=base,
        apps=APPS,
        template_dirs=[base / "templates"],
        locale_paths=[base / "locale"],
        static_root=base / "staticfiles",
        code_dirs=[base / "config"],
    )


def test_the_same_files_give_the_same_short_id_wherever_and_whenever_they_were_written(project, tmp_path):
    release = digest(project)
    assert digest(project) == release  # a second process of the same release
    assert len(release) == 12
    os.utime(project / "templates" / "base.html", (0, 0))  # a fresh checkout's times
    elsewhere = shutil.copytree(project, tmp_path / "elsewhere")  # another machine's path
    assert digest(project) == digest(elsewhere) == release


@pytest.mark.parametrize(
    "changed",
    [
        "templates/includes/_footer.html",
        "products/templates/products/_card.html",
        "products/models.py",
        "config/urls.py",
        "locale/fa/LC_MESSAGES/django.mo",
        "portal/locale/fa/LC_MESSAGES/django.mo",
        "staticfiles/staticfiles.json",
    ],
)
def test_changed_code_a_template_a_translation_or_the_static_manifest_is_a_new_release(project, changed):
    before = digest(project)
    with (project / changed).open("a", encoding="utf-8") as file:
        file.write(" ")
    assert digest(project) != before


def test_tests_and_uncompiled_translations_leave_the_digest_alone(project):
    """A .po file shows only once compiled; tests render nothing."""
    before = digest(project)
    (project / "tests" / "test_pages.py").write_text("# changed", encoding="utf-8")
    (project / "locale" / "fa" / "LC_MESSAGES" / "django.po").write_text("# changed", encoding="utf-8")
    assert digest(project) == before


def test_a_template_added_or_a_manifest_collected_is_a_new_release(project):
    before = digest(project)
    (project / "templates" / "new.html").write_text("", encoding="utf-8")
    added = digest(project)
    (project / "staticfiles" / "staticfiles.json").unlink()
    assert len({before, added, digest(project)}) == 3
