"""The release id: what tells one deployment's cached pages from the next one's.

Everything cached as rendered output (whole pages, catalog cards, API entries, template fragments,
sitemaps) is keyed by it, so a new release never serves what the previous one rendered with other
templates, translations or code (portal/http/page_cache.py). A deployment may name it in
PORTAL_RELEASE (the git commit, say); without it the settings compute `release_digest` once at
start-up, which changes with the project's own code, templates and translations but not with an
upgraded package. Imported by the settings, so it uses the standard library only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

# The manifest of the hashed static names (ManifestStaticFilesStorage's default name): pages
# link to the names it lists.
STATIC_MANIFEST = "staticfiles.json"


def release_digest(
    *,
    base_dir: Path,
    apps: Iterable[str],
    template_dirs: Iterable[Path],
    locale_paths: Iterable[Path],
    static_root: Path | None,
    code_dirs: Iterable[Path] = (),
) -> str:
    """A short digest of what the project renders with: its own code (the Python of its own apps
    and of `code_dirs`, the settings' and URLs' package), its templates (its template directories
    and its own apps' `templates/`), its compiled translations (`*.mo` under its locale paths and
    its own apps' `locale/`) and the static files manifest, if collected.

    Contents and names relative to the project only, never times or absolute paths: every process
    of one release, on any machine, computes the same id. Third-party packages change with their
    version: a deployment that upgrades one sets PORTAL_RELEASE."""
    own_apps = [base_dir / name.split(".")[0] for name in apps]
    own_apps = [path for path in dict.fromkeys(own_apps) if path.is_dir()]
    templates = [*template_dirs, *(app / "templates" for app in own_apps)]
    locales = [*locale_paths, *(app / "locale" for app in own_apps)]
    files = {
        **dict(_files(base_dir, [*own_apps, *code_dirs], "*.py")),
        **dict(_files(base_dir, templates, "*")),
        **dict(_files(base_dir, locales, "*.mo")),
    }
    manifest = Path(static_root) / STATIC_MANIFEST if static_root else None
    if manifest is not None and manifest.is_file():
        files[f"static:{STATIC_MANIFEST}"] = manifest
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name].read_bytes()).digest())
    return digest.hexdigest()[:12]


def _files(base_dir: Path, roots: Iterable[Path], pattern: str) -> Iterator[tuple[str, Path]]:
    """(name, path) of the files matching `pattern` under `roots`, named relative to the project
    (or to their root, for a directory outside it)."""
    for root in dict.fromkeys(Path(root) for root in roots):
        if not root.is_dir():
            continue
        for path in root.rglob(pattern):
            if path.is_file():
                inside = path.is_relative_to(base_dir)
                name = path.relative_to(base_dir) if inside else root.name / path.relative_to(root)
                yield name.as_posix(), path
