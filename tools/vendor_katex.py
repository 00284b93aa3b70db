"""Vendor KaTeX (the docs site's math renderer) into ``docs/assets/katex/`` — or ``--check`` it.

The docs site renders its TeX in the browser with KaTeX, shipped with the site (no CDN): the site
works offline and on any static host. This script reproduces the committed copy from the npm
package ``katex`` (MIT licence), fetched with the ordinary client (``npm pack``) and verified
against the pinned integrity hash::

    python tools/vendor_katex.py            # (re)write docs/assets/katex/ (needs npm and the registry)
    python tools/vendor_katex.py --check    # offline: the committed files match MANIFEST.json
    python tools/vendor_katex.py --check --refetch   # also rebuild from npm and compare bytes

What is kept of the package (``package/``): ``dist/katex.min.js``, ``dist/katex.min.css``,
``dist/fonts/*.woff2`` and ``LICENSE``. The stylesheet is rewritten to reference only the
``woff2`` fonts (every browser that runs KaTeX reads woff2; the ``woff``/``ttf`` fallbacks would
be dead links and triple the size). ``MANIFEST.json`` records the version, the tarball's
integrity and the SHA-256 of every vendored file. ``docs/assets/javascripts/katex-init.js`` (ours,
not vendored) renders the ``.arithmatex`` elements that ``pymdownx.arithmatex`` (generic mode)
leaves in the HTML.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "docs" / "assets" / "katex"
PACKAGE = "katex"
VERSION = "0.19.1"
# `npm view katex@0.19.1 dist.integrity`
INTEGRITY = "sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA=="
MANIFEST = "MANIFEST.json"

_FONT_SRC = re.compile(r"src:\s*([^;}]*)")
_WOFF2_URL = re.compile(r"url\((?:fonts/)?(KaTeX_[A-Za-z0-9_-]+\.woff2)\)\s*format\([\"']woff2[\"']\)")


def woff2_only(css: str) -> str:
    """The stylesheet with every ``@font-face src`` reduced to its woff2 entry."""

    def keep(m: re.Match[str]) -> str:
        woff2 = _WOFF2_URL.search(m.group(1))
        if woff2 is None:
            raise SystemExit(f"vendor_katex: no woff2 source in {m.group(0)[:120]!r}: the stylesheet changed, review the script")
        return f'src:url(fonts/{woff2.group(1)}) format("woff2")'

    out, n = _FONT_SRC.subn(keep, css)
    if n < 10:
        raise SystemExit(f"vendor_katex: only {n} @font-face rules rewritten: the stylesheet changed, review the script")
    return out


def _sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch_tarball(workdir: Path) -> bytes:
    """``npm pack katex@VERSION`` into ``workdir``; the tarball's bytes, integrity verified."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("vendor_katex: npm is needed to fetch the package (apt-get install npm)")
    proc = subprocess.run(
        [npm, "pack", f"{PACKAGE}@{VERSION}", "--silent", "--pack-destination", str(workdir)],
        capture_output=True, text=True, timeout=300,
    )
    if proc.returncode != 0:
        raise SystemExit(f"vendor_katex: npm pack failed ({proc.returncode}):\n{proc.stderr}")
    tarball = workdir / f"{PACKAGE}-{VERSION}.tgz"
    data = tarball.read_bytes()
    if _sri(data) != INTEGRITY:
        raise SystemExit(f"vendor_katex: integrity mismatch for {tarball.name}: {_sri(data)} != pinned {INTEGRITY}")
    return data


def build(tgz: bytes, workdir: Path) -> dict[str, bytes]:
    """Relative path under ``docs/assets/katex`` → bytes, from the package tarball."""
    path = workdir / "pkg.tgz"
    path.write_bytes(tgz)
    files: dict[str, bytes] = {}
    with tarfile.open(path, "r:gz") as tar:
        def read(name: str) -> bytes:
            f = tar.extractfile(f"package/{name}")
            assert f is not None, name
            return f.read()

        files["LICENSE"] = read("LICENSE")
        files["katex.min.js"] = read("dist/katex.min.js")
        files["katex.min.css"] = woff2_only(read("dist/katex.min.css").decode("utf-8")).encode("utf-8")
        for member in sorted(tar.getnames()):
            m = re.fullmatch(r"package/dist/fonts/(KaTeX_[A-Za-z0-9_-]+\.woff2)", member)
            if m:
                files[f"fonts/{m.group(1)}"] = read(f"dist/fonts/{m.group(1)}")
    referenced = set(re.findall(r"fonts/(KaTeX_[A-Za-z0-9_-]+\.woff2)", files["katex.min.css"].decode()))
    missing = {f"fonts/{r}" for r in referenced} - set(files)
    if missing:
        raise SystemExit(f"vendor_katex: the stylesheet references fonts the package lacks: {sorted(missing)}")
    return files


def manifest(files: dict[str, bytes]) -> dict:
    return {
        "package": PACKAGE,
        "version": VERSION,
        "license": "MIT (see LICENSE)",
        "integrity": INTEGRITY,
        "reproduce": "python tools/vendor_katex.py",
        "total_bytes": sum(len(b) for b in files.values()),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }


def check_committed() -> list[str]:
    """Problems with the committed copy (offline: against its manifest and this script's pins)."""
    problems: list[str] = []
    mpath = DEST / MANIFEST
    if not mpath.is_file():
        return [f"missing {mpath.relative_to(ROOT)} (run python tools/vendor_katex.py)"]
    man = json.loads(mpath.read_text(encoding="utf-8"))
    if (man.get("version"), man.get("integrity")) != (VERSION, INTEGRITY):
        problems.append(f"{MANIFEST} is for katex {man.get('version')}, the script pins {VERSION}")
    on_disk = {p.relative_to(DEST).as_posix() for p in DEST.rglob("*") if p.is_file()} - {MANIFEST}
    for name in sorted(on_disk - set(man["files"])):
        problems.append(f"unexpected file {name}")
    for name, digest in sorted(man["files"].items()):
        p = DEST / name
        if not p.is_file():
            problems.append(f"missing {name}")
        elif hashlib.sha256(p.read_bytes()).hexdigest() != digest:
            problems.append(f"{name} differs from its manifest hash")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="verify the committed copy instead of writing it")
    ap.add_argument("--refetch", action="store_true", help="with --check: also rebuild from npm and compare bytes")
    args = ap.parse_args(argv)

    if args.check:
        problems = check_committed()
        if args.refetch and not problems:
            with tempfile.TemporaryDirectory() as tmp:
                files = build(fetch_tarball(Path(tmp)), Path(tmp))
            for name, data in files.items():
                if (DEST / name).read_bytes() != data:
                    problems.append(f"{name}: rebuilt bytes differ from the committed file")
        for p in problems:
            print(f"vendor_katex: {p}")
        print("vendor_katex: " + ("DRIFT (run python tools/vendor_katex.py)" if problems else f"katex {VERSION} is vendored as pinned"))
        return 1 if problems else 0

    with tempfile.TemporaryDirectory() as tmp:
        files = build(fetch_tarball(Path(tmp)), Path(tmp))
    if DEST.exists():
        shutil.rmtree(DEST)
    for name, data in files.items():
        (DEST / name).parent.mkdir(parents=True, exist_ok=True)
        (DEST / name).write_bytes(data)
    man = manifest(files)
    (DEST / MANIFEST).write_text(json.dumps(man, indent=2) + "\n", encoding="utf-8")
    print(f"vendor_katex: wrote katex {VERSION} to {DEST.relative_to(ROOT)}: {len(files)} files, {man['total_bytes']} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
