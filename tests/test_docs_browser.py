"""The docs site in a real browser: its mathematics is rendered (KaTeX, shipped with the site).

The site is built with ``mkdocs build --strict`` (or taken from ``SKD_DOCS_SITE``, a built site
folder), served from ``127.0.0.1`` by ``http.server`` (fonts do not load over ``file://``), and
opened in headless Chromium (Debian's ``chromium``). After the page's scripts ran
(``--dump-dom`` with a virtual-time budget), every page with TeX — the theory, derivation and
operator pages — must contain KaTeX-rendered elements, no KaTeX error, and no raw TeX (``$$``,
``\\frac``, ``\\(``, ``\\[``) in its visible text; no page may load a script or stylesheet from
another host. Screenshots of three pages are written to ``build/screenshots/`` (ignored by git;
``SKD_SCREENSHOT_DIR`` overrides it) and the folder is printed.

Skips with the reason when Chromium (or MkDocs, to build the site) is missing — unless
``SKD_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which installs Chromium), where it fails instead.
``SKD_CHROMIUM`` names another Chromium binary.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIRE = os.environ.get("SKD_REQUIRE_BROWSER", "") not in ("", "0")
# page, window height: tall enough to reach the first formulas below the long summary tables
SCREENSHOT_PAGES = [("theory/reductions.html", 1600), ("derivations/power.html", 5600), ("operators/power.html", 3400)]
# pages that must have rendered math (besides every other page whose HTML has TeX in it)
MUST_HAVE_MATH = ["theory/reductions.html", "theory/vector.html", "theory/biasvar.html", "derivations/power.html", "operators/power.html"]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--run-all-compositor-stages-before-draw",  # screenshots of tall pages are painted to the bottom
]
RAW_TEX = re.compile(r"\$\$|\\frac|\\\(|\\\)|\\\[|\\\]|\\(?:sum|mathbb|operatorname|left|right|tfrac|sqrt|varepsilon)\b")

pytestmark = pytest.mark.slow


def _missing(what: str) -> None:
    if REQUIRE:
        pytest.fail(f"{what}, and SKD_REQUIRE_BROWSER=1 requires the browser test to run")
    pytest.skip(what)


def _chromium() -> str:
    for name in [os.environ.get("SKD_CHROMIUM", ""), "chromium", "chromium-browser"]:
        if name and shutil.which(name):
            return shutil.which(name)  # type: ignore[return-value]
    _missing("chromium is not installed (Debian: apt-get install chromium)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    given = os.environ.get("SKD_DOCS_SITE")
    if given:
        path = Path(given)
        assert (path / "index.html").is_file(), f"SKD_DOCS_SITE={given} is not a built site (no index.html)"
        return path
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("pymdownx") is None:
        _missing("mkdocs / pymdown-extensions are not installed (pip install '.[docs]'), so the site cannot be built")
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    return out


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def base_url(site) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _run_chromium(chromium: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    with tempfile.TemporaryDirectory(prefix="skd-chromium-") as profile:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=10000", *args]
        return subprocess.run(cmd, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)


class _Page(HTMLParser):
    """Visible text (no code, scripts, styles, nor KaTeX's hidden MathML copy) and math counts."""

    SKIP_TAGS = {"code", "pre", "script", "style", "noscript", "template", "head"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.hidden = 0
        self.text: list[str] = []
        self.arithmatex = 0
        self.arithmatex_rendered = 0
        self.katex = 0
        self.errors: list[str] = []
        self.external: list[str] = []
        self._in_arithmatex = 0
        self._arith_has_katex: list[bool] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        for attr in ("src", "href"):
            url = a.get(attr) or ""
            if (tag == "script" and attr == "src") or (tag == "link" and attr == "href" and "stylesheet" in (a.get("rel") or "")):
                if re.match(r"(?:https?:)?//", url):
                    self.external.append(url)
        if "katex" in classes:
            self.katex += 1
            if self._arith_has_katex:
                self._arith_has_katex[-1] = True
        if "katex-error" in classes:
            self.errors.append(a.get("title") or "")
        if tag in self.VOID:
            return
        hide = tag in self.SKIP_TAGS or "katex-mathml" in classes
        if "arithmatex" in classes:
            self.arithmatex += 1
            self._arith_has_katex.append(False)
        self.stack.append((tag, hide, "arithmatex" in classes))
        self.hidden += hide

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            t, hide, arith = self.stack.pop()
            self.hidden -= hide
            if arith:
                self.arithmatex_rendered += self._arith_has_katex.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if not self.hidden:
            self.text.append(data)


def _pages_with_tex(site: Path) -> list[str]:
    pages = []
    for path in sorted(site.rglob("*.html")):
        if 'class="arithmatex"' in path.read_text(encoding="utf-8", errors="replace"):
            pages.append(path.relative_to(site).as_posix())
    return pages


def test_docs_site_pages_with_tex_list_the_theory_derivation_and_operator_pages(site):
    pages = _pages_with_tex(site)
    for page in MUST_HAVE_MATH:
        assert page in pages, f"{page} has no TeX left for the renderer (pymdownx.arithmatex not applied?)"
    assert sum(p.startswith("theory/") for p in pages) >= 8, pages


def _pages_to_open(site: Path) -> tuple[list[str], set[str]]:
    """Every theory, derivation and operator page, and any other page with TeX; those that must show math."""
    with_tex = set(_pages_with_tex(site)) | set(MUST_HAVE_MATH)
    sections = {p.relative_to(site).as_posix() for d in ("theory", "derivations", "operators") for p in (site / d).glob("*.html")}
    return sorted(with_tex | sections), with_tex


def _check_page(chromium: str, base_url: str, page: str, needs_math: bool) -> list[str]:
    proc = _run_chromium(chromium, "--dump-dom", base_url + page)
    if proc.returncode != 0 or not proc.stdout:
        return [f"{page}: chromium exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-800:]}"]
    dom = _Page()
    dom.feed(proc.stdout.decode("utf-8", errors="replace"))
    text = "".join(dom.text)
    problems = []
    if needs_math and (dom.arithmatex == 0 or dom.katex == 0):
        problems.append(f"{page}: no rendered math (arithmatex elements {dom.arithmatex}, KaTeX elements {dom.katex})")
    elif dom.arithmatex_rendered != dom.arithmatex:
        problems.append(f"{page}: {dom.arithmatex - dom.arithmatex_rendered} of {dom.arithmatex} formulas not rendered by KaTeX")
    if dom.errors:
        problems.append(f"{page}: {len(dom.errors)} KaTeX errors, e.g. {dom.errors[:3]}")
    raw = [text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ") for m in RAW_TEX.finditer(text)]
    if raw:
        problems.append(f"{page}: raw TeX in the visible text ({len(raw)}), e.g. {raw[:3]}")
    if dom.external:
        problems.append(f"{page}: loads from another host (the site must work offline): {dom.external}")
    return problems


def test_docs_site_renders_math_in_chromium(site, base_url, chromium):
    pages, with_tex = _pages_to_open(site)
    assert len(pages) >= 25, pages
    with ThreadPoolExecutor(max_workers=2) as pool:  # two Chromiums at a time (CI has 2 cores)
        results = list(pool.map(lambda page: _check_page(chromium, base_url, page, page in with_tex), pages))
    problems = [p for r in results for p in r]
    assert not problems, "\n".join(problems)
    print(f"{len(pages)} pages opened in Chromium, {len(with_tex)} with math rendered by KaTeX: {', '.join(sorted(with_tex))}")


def test_docs_site_screenshots_of_three_pages(base_url, chromium):
    out = Path(os.environ.get("SKD_SCREENSHOT_DIR") or ROOT / "build" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for page, height in SCREENSHOT_PAGES:
        png = out / (page.replace("/", "_").removesuffix(".html") + ".png")
        png.unlink(missing_ok=True)
        proc = _run_chromium(chromium, f"--window-size=1280,{height}", f"--screenshot={png}", base_url + page)
        assert proc.returncode == 0 and png.is_file(), f"{page}: no screenshot (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[-800:]}"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000, f"{png}: not a PNG of a rendered page"
        written.append(png)
    print(f"screenshots: {out}")
    for png in written:
        print(f"  {png} ({png.stat().st_size} bytes)")
