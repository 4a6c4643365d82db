"""Refresh the vendored front-end files from npm and check them against `assets.json` (`make assets`).

Every package is fetched at the version the manifest pins (`npm pack`, into a temporary directory:
no node_modules, no package.json), its tarball checked against the recorded npm integrity, and the
listed files copied into portal/static/vendor/ (or the package's own `target`, for test-only tools
such as axe-core, which users are never served) with the recorded transforms, then checked against
their sha256. A mismatch stops the refresh and leaves the vendored files untouched.

After bumping a version in assets.json, `make assets UPDATE=1` (`--update`) records the new
integrity and checksums instead of refusing them; review the diff of the vendored files.

Transforms keep the files servable by whitenoise's manifest storage, which refuses a CSS or JS file
naming a file that is not there: source-map comments are emptied (the maps are not vendored) and
`.woff` fallbacks are dropped (every browser the portal supports reads `.woff2`).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "assets.json"


def strip_source_map(text: str) -> str:
    """`/*# sourceMappingURL=x.css.map */` -> `/*# */`, `//# sourceMappingURL=x.js.map` -> ``."""
    text = re.sub(r"sourceMappingURL=\S+ \*/", "*/", text)
    return re.sub(r"\n//# sourceMappingURL=\S+", "\n", text)


def drop_woff(text: str) -> str:
    """Keep only the `.woff2` source of each @font-face, relative to the stylesheet."""
    text = re.sub(r""",\s*url\([^)]*\.woff(\?[^)]*)?\)\s*format\(["']woff["']\)""", "", text)
    return text.replace("url(./", "url(")


TRANSFORMS = {"strip-source-map": strip_source_map, "drop-woff": drop_woff}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_pack(spec: str, into: Path) -> tuple[Path, str]:
    """Download `spec` (name@version) as a tarball; its path and the registry's integrity."""
    out = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(into)],
        check=True, capture_output=True, text=True, cwd=into,
    )  # fmt: skip
    info = json.loads(out.stdout)[0]
    return into / info["filename"], info["integrity"]


def tarball_integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def build(package: dict, tarball: Path) -> dict[str, bytes]:
    """The vendored files of one package: target path (relative to the vendor folder) -> bytes."""
    with tarfile.open(tarball) as archive:
        members = {member.name.removeprefix("package/"): member for member in archive.getmembers()}

        def read(name: str) -> bytes:
            return archive.extractfile(members[name]).read()

        built = {}
        for entry in package["files"]:
            sources = entry["from"] if isinstance(entry["from"], list) else [entry["from"]]
            data = b"".join(read(source) for source in sources)
            for name in entry.get("transform", []):
                data = TRANSFORMS[name](data.decode("utf-8")).encode("utf-8")
            built[entry["to"]] = data
        return built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="record new integrity and checksums")
    args = parser.parse_args()
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    problems: list[str] = []
    outputs: dict[Path, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="vendor-assets-") as tmp:
        for package in manifest["packages"]:
            spec = f"{package['npm']}@{package['version']}"
            tarball, integrity = npm_pack(spec, Path(tmp))
            if tarball_integrity(tarball) != integrity:
                problems.append(f"{spec}: the tarball does not match the registry's integrity")
                continue
            if package.get("integrity") != integrity:
                if not args.update:
                    problems.append(f"{spec}: integrity {integrity} differs from assets.json")
                    continue
                package["integrity"] = integrity
            built = build(package, tarball)
            target = ROOT / package.get("target", manifest["target"])
            for entry in package["files"]:
                digest = sha256(built[entry["to"]])
                if entry.get("sha256") != digest:
                    if not args.update:
                        problems.append(f"{entry['to']}: sha256 {digest} differs from assets.json")
                        continue
                    entry["sha256"] = digest
                outputs[target / entry["to"]] = built[entry["to"]]
            print(f"{spec}: {len(package['files'])} files")
    if problems:
        print("\n".join(["Nothing written:", *problems]), file=sys.stderr)
        return 1
    for path, data in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if args.update:
        MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(outputs)} vendored files match assets.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
