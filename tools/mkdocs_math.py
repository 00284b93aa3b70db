"""MkDocs hook (``hooks:`` in mkdocs.yml): the Markdown the docs are written in, read as written.

The pages are written for CommonMark readers (GitHub shows them as they are); Python-Markdown,
which MkDocs uses, differs in two ways that broke the site. This hook adds one Markdown extension
that closes both gaps, without touching the pages:

* **A list may interrupt a paragraph.** ``**Lemma.** Let ...`` followed on the next line by
  ``* If ...`` is a paragraph and a list in CommonMark, but one run-on paragraph in
  Python-Markdown. A preprocessor inserts the blank line Python-Markdown needs before such a list
  (outside fenced code, which is stashed by then, and outside multi-line ``$$ ... $$`` math).
* **Display math inside a paragraph.** ``... and\n$$F_T(p)_i = ...$$\nWhen ...`` is display
  math to MathJax/KaTeX readers, but ``pymdownx.arithmatex`` only takes ``$$`` as a block of its
  own. An inline pattern (run before arithmatex's ``$...$`` and after code spans) turns
  ``$$ ... $$`` anywhere in a paragraph into ``<span class="arithmatex">\\[ ... \\]</span>``,
  which ``docs/assets/javascripts/katex-init.js`` renders in display mode.

Everything else — ``$...$``, whole-block ``$$``, protection of ``_``, ``*`` and ``\\|`` inside
math — is ``pymdownx.arithmatex`` in generic mode (configured in mkdocs.yml).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, util
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor

# `$$ ... $$` (at least one character, may span lines of one paragraph); not `\$$`
RE_DISPLAY_IN_PARAGRAPH = r"(?<!\\)\$\$(?!\$)((?:\\.|[^\\$])+?)\$\$"
_LIST_ITEM = re.compile(r"^ {0,3}(?:[*+-]|(?P<number>\d{1,9})[.)])[ \t]+\S")
_NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:#|\||>|<|!!!|```|~~~|-{3,}\s*$|\*{3,}\s*$|_{3,}\s*$|=+\s*$)| {4}|\t")
_CODE_SPAN = re.compile(r"(`+).*?\1")


def _dollar_pairs(line: str) -> int:
    """How many ``$$`` delimiters the line has outside code spans (``\\$`` is not one)."""
    line = _CODE_SPAN.sub("", line)
    return len(re.findall(r"(?<!\\)\$\$", line))


class ListAfterParagraph(Preprocessor):
    """Insert a blank line between a paragraph line and a list item that follows it."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        block = "blank"  # kind of the block the previous line belongs to: blank | list | para | other
        in_math = False
        for line in lines:
            if not line.strip():
                block = "blank"
                out.append(line)
                continue
            item = None if in_math else _LIST_ITEM.match(line)
            # as in CommonMark, only a numbered list starting at 1 interrupts a paragraph
            if item and not (block == "para" and item.group("number") not in (None, "1")):
                if block == "para":
                    out.append("")
                block = "list"
            elif block == "blank":
                block = "other" if _NOT_PARAGRAPH.match(line) else "para"
            if _dollar_pairs(line) % 2:
                in_math = not in_math
            out.append(line)
        return out


class DisplayMathInParagraph(InlineProcessor):
    """``$$ ... $$`` inside a paragraph → ``<span class="arithmatex">\\[ ... \\]</span>``."""

    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[override]
        el = etree.Element("span", {"class": "arithmatex"})
        el.text = util.AtomicString("\\[" + m.group(1) + "\\]")
        return el, m.start(0), m.end(0)


class CommonMarkMathExtension(Extension):
    def extendMarkdown(self, md):  # type: ignore[no-untyped-def]
        # after fenced_code (25) and html_block (20), so code is already stashed
        md.preprocessors.register(ListAfterParagraph(md), "skd-list-after-paragraph", 15)
        # after code spans (190), before arithmatex's inline `$...$` (189.9)
        md.inlinePatterns.register(DisplayMathInParagraph(RE_DISPLAY_IN_PARAGRAPH, md), "skd-display-math-inline", 189.95)


def on_config(config):  # type: ignore[no-untyped-def]
    """MkDocs event: add the extension (the hook needs no other wiring)."""
    config.markdown_extensions.append(CommonMarkMathExtension())
    return config
