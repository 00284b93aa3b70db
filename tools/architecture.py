"""Measure the architecture criteria of skd over ``operators/``, ``theory/`` and ``verify/``.

    python tools/architecture.py            # human tables; exit 1 when a criterion 1-3 is violated
    python tools/architecture.py --json     # the same findings as one JSON object

The criteria (the architecture issue's acceptance):

1. **Import cycles** among the skd modules. Every ``import`` / ``from ... import`` counts, wherever
   it stands: at module level, inside a function or method, inside ``try``. ``importlib.import_module``
   with a literal module name counts too (a deferred import is still a dependency). Only imports under
   ``if TYPE_CHECKING:`` are left out: they never run. Relative imports are resolved against the
   package names (folder ``verify/`` is ``skd.verify``, ...). ``from P import x`` depends on ``P.x``
   when that is a module, else on ``P`` itself; the implicit import of a parent package
   (``skd.verify/__init__``) is not an edge. Each strongly connected component is reported with
   a shortest cycle through each of its modules, as a chain ``a -> b -> a`` with the line of each import.
2. **Private names imported across modules**: ``from .x import _y``, ``from skd.verify.x import _y``
   (a name, not a submodule, with one leading underscore), and ``m._y`` / ``getattr(m, "_y")``
   where ``m`` is bound to an skd module by an import.
3. **Sizes**: modules over 800 lines and functions (methods, nested functions: each on its own)
   over 120 lines, counted from the ``def`` line to the last line of the body.
   **Exemption convention**: a module states why it is allowed to be large with a line of its
   module docstring of the form ``Size: <reason>`` (for instance ``Size: one table of 70 rewrite
   rules; splitting it would scatter the rules``). That line exempts the module and its functions;
   exempt items are still listed (with the reason) but do not fail the run.
4. **String tests** of axiom names (the ids of ``skd.theory.axioms``: ``well_defined``, ``ranking``,
   ``identity``, ``entropy``, ``continuity``, ``boundary_cold``, ``boundary_hot``) and operator
   kinds (``"separable"``, ``"vector"``): comparisons ``==`` / ``!=`` / ``is`` with such a literal,
   ``in`` / ``not in`` against a literal tuple, list, set or dict (keys) holding one, and ``case``
   patterns of a ``match``. Counted per file (one per comparison); ``verify/checker.py``,
   ``verify/cli.py``, ``verify/pytest_plugin.py`` and the refuter engine ``verify/refute.py`` are
   singled out. This is a report only: it never changes the exit code.

Exit code: 0 when there is no cycle, no private import and no unexempted size violation; 1 otherwise;
2 on a usage error. Standard library only (``ast``), so it runs before anything is installed; the
functions :func:`analyze`, :func:`render` are used by ``tests/test_architecture.py`` on synthetic trees.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: folder -> package name (pyproject ``[tool.setuptools] package-dir``)
PACKAGES: dict[str, str] = {"operators": "skd.operators", "theory": "skd.theory", "verify": "skd.verify"}
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 120
#: fallback when ``theory/axioms.py`` is absent (synthetic trees); otherwise read from its ``Axiom("id", ...)`` calls
AXIOM_IDS = ("well_defined", "ranking", "continuity", "entropy", "identity", "boundary_cold", "boundary_hot")
KINDS = ("separable", "vector")
#: the files the issue names: checker, CLI, plugin and the refuter (its entry and its engine)
HIGHLIGHT = ("verify/checker.py", "verify/cli.py", "verify/pytest_plugin.py", "verify/refute.py", "verify/search.py")
SIZE_RE = re.compile(r"^\s*Size:\s*(\S.*?)\s*$", re.MULTILINE)


# -- the modules ---------------------------------------------------------------------------------


@dataclass
class Module:
    name: str  # dotted, e.g. skd.verify.cli
    rel: str  # path relative to the root, e.g. verify/cli.py
    is_package: bool
    tree: ast.Module
    lines: int

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    line: int
    scope: str  # "<module>" or the qualified name of the enclosing function
    how: str  # "import", "from", "importlib"

    def describe(self) -> str:
        where = "" if self.scope == "<module>" else f" in {self.scope}()"
        return f"line {self.line}{where}" + (" via importlib" if self.how == "importlib" else "")


@dataclass
class Findings:
    modules: int = 0
    edges: list[Edge] = field(default_factory=list)
    cycles: list[dict[str, Any]] = field(default_factory=list)
    private_imports: list[dict[str, Any]] = field(default_factory=list)
    module_sizes: list[dict[str, Any]] = field(default_factory=list)
    function_sizes: list[dict[str, Any]] = field(default_factory=list)
    string_tests: dict[str, dict[str, int]] = field(default_factory=dict)
    string_test_sites: list[dict[str, Any]] = field(default_factory=list)
    limits: dict[str, int] = field(default_factory=dict)

    @property
    def size_violations(self) -> list[dict[str, Any]]:
        return [s for s in self.module_sizes + self.function_sizes if not s["exempt"]]

    @property
    def ok(self) -> bool:
        return not (self.cycles or self.private_imports or self.size_violations)

    def to_json(self) -> dict[str, Any]:
        highlighted = {rel: self.string_tests.get(rel, {"axiom": 0, "kind": 0, "total": 0}) for rel in HIGHLIGHT}
        return {
            "ok": self.ok,
            "modules": self.modules,
            "limits": self.limits,
            "import_edges": len(self.edges),
            "cycles": self.cycles,
            "private_imports": self.private_imports,
            "sizes": {"modules": self.module_sizes, "functions": self.function_sizes,
                      "violations": len(self.size_violations)},
            "string_tests": {
                "per_file": self.string_tests,
                "highlighted": highlighted,
                "total": {k: sum(c[k] for c in self.string_tests.values()) for k in ("axiom", "kind", "total")},
                "sites": self.string_test_sites,
            },
        }


def discover(root: Path, packages: Mapping[str, str]) -> dict[str, Module]:
    """Every ``*.py`` under each folder, named by its package (``__init__.py`` is the package)."""
    out: dict[str, Module] = {}
    for folder, package in packages.items():
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            rel_parts = path.relative_to(base).parts
            if any(p == "__pycache__" or p.startswith(".") for p in rel_parts):
                continue
            is_package = rel_parts[-1] == "__init__.py"
            parts = list(rel_parts[:-1]) + ([] if is_package else [path.stem])
            name = ".".join([package, *parts])
            text = path.read_text(encoding="utf-8")
            out[name] = Module(name, path.relative_to(root).as_posix(), is_package,
                               ast.parse(text, filename=str(path)), len(text.splitlines()))
    return out


# -- imports ------------------------------------------------------------------------------------


def _resolve_from(mod: Module, node: ast.ImportFrom) -> str | None:
    """The absolute module name of ``from <module> import ...`` (None when it climbs above the root)."""
    if node.level == 0:
        return node.module
    parts = mod.package.split(".")
    if node.level - 1 > len(parts) - 1:
        return None
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class _ImportVisitor(ast.NodeVisitor):
    """Imports of one module, with their scope; names bound to skd modules; private-name uses."""

    def __init__(self, mod: Module, modules: Mapping[str, Module]) -> None:
        self.mod, self.modules = mod, modules
        self.scope: list[str] = []
        self.edges: list[Edge] = []
        self.private: list[dict[str, Any]] = []
        self.aliases: dict[str, str] = {}  # local name -> skd module it is bound to

    # scopes
    def _nested(self, node: ast.AST, name: str) -> None:
        self.scope.append(name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._nested(node, node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._nested(node, node.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._nested(node, node.name)

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):  # annotations only: never executed
            for stmt in node.orelse:
                self.visit(stmt)
            return
        self.generic_visit(node)

    def _where(self) -> str:
        return ".".join(self.scope) if self.scope else "<module>"

    def _edge(self, dst: str, line: int, how: str) -> None:
        edge = Edge(self.mod.name, dst, line, self._where(), how)
        if dst in self.modules and dst != self.mod.name and edge not in self.edges:
            self.edges.append(edge)

    def _private(self, name: str, source: str, line: int, form: str) -> None:
        self.private.append({"file": self.mod.rel, "module": self.mod.name, "line": line, "name": name,
                             "from": source, "form": form})

    # imports
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            target = alias.name
            self._edge(target, node.lineno, "import")
            if target in self.modules:
                if alias.asname:
                    self.aliases[alias.asname] = target
                else:
                    self.aliases.setdefault(target.split(".")[0], target.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = _resolve_from(self.mod, node)
        if source is None:
            return
        for alias in node.names:
            sub = f"{source}.{alias.name}"
            if sub in self.modules:
                self._edge(sub, node.lineno, "from")
                self.aliases[alias.asname or alias.name] = sub
                continue
            self._edge(source, node.lineno, "from")
            if source in self.modules and source != self.mod.name and _is_private(alias.name):
                self._private(alias.name, source, node.lineno, f"from {source} import {alias.name}")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        args = node.args
        if name == "import_module" and args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            target = args[0].value
            if target.startswith("."):
                level = len(target) - len(target.lstrip("."))
                fake = ast.ImportFrom(module=target.lstrip(".") or None, names=[], level=level)
                target = _resolve_from(self.mod, fake) or ""
            self._edge(target, node.lineno, "importlib")
        if (name == "getattr" and len(args) >= 2 and isinstance(args[1], ast.Constant)
                and isinstance(args[1].value, str) and _is_private(args[1].value)):
            owner = self._module_of(args[0])
            if owner is not None and owner != self.mod.name:
                self._private(args[1].value, owner, node.lineno, f'getattr({ast.unparse(args[0])}, "{args[1].value}")')
        self.generic_visit(node)

    def _module_of(self, expr: ast.expr) -> str | None:
        """The skd module an expression (``m``, ``skd.verify.x``) stands for, if any."""
        if isinstance(expr, ast.Name):
            return self.aliases.get(expr.id)
        if isinstance(expr, ast.Attribute):
            base = self._module_of(expr.value)
            if base is not None and f"{base}.{expr.attr}" in self.modules:
                return f"{base}.{expr.attr}"
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if _is_private(node.attr):
            owner = self._module_of(node.value)
            if owner is not None and owner != self.mod.name and f"{owner}.{node.attr}" not in self.modules:
                self._private(node.attr, owner, node.lineno, ast.unparse(node))
        self.generic_visit(node)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _collect_aliases(mod: Module, modules: Mapping[str, Module]) -> dict[str, str]:
    """Names bound to skd modules anywhere in ``mod`` (a first pass, so that uses before the
    function-level import that binds them are still seen)."""
    v = _ImportVisitor(mod, modules)
    v.visit(mod.tree)
    return v.aliases


def imports(modules: Mapping[str, Module]) -> tuple[list[Edge], list[dict[str, Any]]]:
    edges: list[Edge] = []
    private: list[dict[str, Any]] = []
    for mod in modules.values():
        v = _ImportVisitor(mod, modules)
        v.aliases = _collect_aliases(mod, modules)
        v.visit(mod.tree)
        edges += v.edges
        seen = set()
        for p in v.private:  # `from x import _y` and a later `x._y` in the same line are one finding each
            key = (p["line"], p["name"], p["form"])
            if key not in seen:
                seen.add(key)
                private.append(p)
    return edges, private


# -- cycles -------------------------------------------------------------------------------------


def _sccs(nodes: Sequence[str], succ: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(succ.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(succ.get(w, ()))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(sorted(comp))
    return out


def _shortest_cycle(start: str, succ: Mapping[str, Sequence[str]], members: set[str]) -> list[str] | None:
    """A shortest path start -> ... -> start inside ``members`` (breadth first)."""
    prev: dict[str, str] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        nxt = []
        for v in frontier:
            for w in succ.get(v, ()):
                if w not in members:
                    continue
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return [*reversed(path), start]
                if w not in seen:
                    seen.add(w)
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return None


def cycles(modules: Mapping[str, Module], edges: Sequence[Edge]) -> list[dict[str, Any]]:
    by_pair: dict[tuple[str, str], list[Edge]] = {}
    for e in edges:
        by_pair.setdefault((e.src, e.dst), []).append(e)
    succ: dict[str, list[str]] = {}
    for src, dst in sorted(by_pair):
        succ.setdefault(src, []).append(dst)
    out = []
    for comp in _sccs(sorted(modules), succ):
        if len(comp) < 2:
            continue
        members = set(comp)
        chains: list[list[str]] = []
        seen: set[tuple[str, ...]] = set()
        for m in comp:
            cyc = _shortest_cycle(m, succ, members)
            if cyc is None:
                continue
            ring = cyc[:-1]
            k = ring.index(min(ring))
            key = tuple(ring[k:] + ring[:k])
            if key in seen:
                continue
            seen.add(key)
            chains.append([*key, key[0]])
        rendered = []
        for chain in sorted(chains, key=lambda c: (len(c), c)):
            steps: list[dict[str, Any]] = []
            text = chain[0]
            for a, b in pairwise(chain):
                sites = by_pair[(a, b)]
                steps.append({"from": a, "to": b, "file": modules[a].rel,
                              "imports": [{"line": e.line, "scope": e.scope, "how": e.how} for e in sites]})
                text += f" -> {b} ({modules[a].rel}: " + ", ".join(e.describe() for e in sites) + ")"
            rendered.append({"chain": chain, "steps": steps, "text": text})
        out.append({"modules": comp, "cycles": rendered})
    return out


# -- sizes --------------------------------------------------------------------------------------


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def size_reason(mod: Module) -> str | None:
    """The ``Size: <reason>`` line of the module docstring, if any."""
    doc = ast.get_docstring(mod.tree)
    m = SIZE_RE.search(doc or "")
    return m.group(1) if m else None


def sizes(modules: Mapping[str, Module], max_module: int, max_function: int
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    mods, funcs = [], []
    for mod in sorted(modules.values(), key=lambda m: m.rel):
        reason = size_reason(mod)
        if mod.lines > max_module:
            mods.append({"file": mod.rel, "lines": mod.lines, "exempt": reason is not None, "reason": reason})
        for qual, node in _functions(mod.tree):
            n = (node.end_lineno or node.lineno) - node.lineno + 1
            if n > max_function:
                funcs.append({"file": mod.rel, "function": qual, "line": node.lineno, "lines": n,
                              "exempt": reason is not None, "reason": reason})
    return mods, funcs


# -- string tests -------------------------------------------------------------------------------


def axiom_ids(root: Path) -> tuple[str, ...]:
    """The ids of ``theory/axioms.py`` (first argument of each ``Axiom("id", ...)``), else :data:`AXIOM_IDS`."""
    path = root / "theory" / "axioms.py"
    if not path.is_file():
        return AXIOM_IDS
    ids = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Axiom" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            ids.append(node.args[0].value)
    return tuple(dict.fromkeys(ids)) or AXIOM_IDS


def _literal_strings(expr: ast.expr, *, container: bool) -> set[str]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if container and isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        return {e.value for e in expr.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    if container and isinstance(expr, ast.Dict):
        return {k.value for k in expr.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return set()


def _pattern_strings(pat: ast.pattern) -> set[str]:
    if isinstance(pat, ast.MatchValue):
        return _literal_strings(pat.value, container=False)
    if isinstance(pat, ast.MatchOr):
        return set().union(*(_pattern_strings(p) for p in pat.patterns))
    if isinstance(pat, ast.MatchAs) and pat.pattern is not None:
        return _pattern_strings(pat.pattern)
    return set()


def string_tests(modules: Mapping[str, Module], axioms: Sequence[str]
                 ) -> tuple[dict[str, dict[str, int]], list[dict[str, Any]]]:
    ax, kinds = set(axioms), set(KINDS)
    counts: dict[str, dict[str, int]] = {}
    sites: list[dict[str, Any]] = []
    for mod in sorted(modules.values(), key=lambda m: m.rel):
        c = {"axiom": 0, "kind": 0, "total": 0}
        for node in ast.walk(mod.tree):
            found: set[str] = set()
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                for k, op in enumerate(node.ops):
                    left, right = operands[k], operands[k + 1]
                    if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
                        found |= _literal_strings(left, container=False) | _literal_strings(right, container=False)
                    elif isinstance(op, (ast.In, ast.NotIn)):
                        found |= _literal_strings(right, container=True)
            elif isinstance(node, ast.match_case):
                found = _pattern_strings(node.pattern)
            hit_ax, hit_kind = bool(found & ax), bool(found & kinds)
            if not (hit_ax or hit_kind):
                continue
            c["axiom"] += hit_ax
            c["kind"] += hit_kind
            c["total"] += 1
            line = getattr(node, "lineno", None) or getattr(getattr(node, "pattern", None), "lineno", 0)
            sites.append({"file": mod.rel, "line": line, "strings": sorted(found & (ax | kinds))})
        if c["total"]:
            counts[mod.rel] = c
    return counts, sites


# -- the whole --------------------------------------------------------------------------------


def analyze(root: Path = ROOT, packages: Mapping[str, str] | None = None, *, max_module_lines: int = MAX_MODULE_LINES,
            max_function_lines: int = MAX_FUNCTION_LINES, axioms: Sequence[str] | None = None) -> Findings:
    modules = discover(root, PACKAGES if packages is None else packages)
    f = Findings(modules=len(modules), limits={"module_lines": max_module_lines, "function_lines": max_function_lines})
    f.edges, f.private_imports = imports(modules)
    f.cycles = cycles(modules, f.edges)
    f.module_sizes, f.function_sizes = sizes(modules, max_module_lines, max_function_lines)
    f.string_tests, f.string_test_sites = string_tests(modules, axiom_ids(root) if axioms is None else axioms)
    return f


def render(f: Findings) -> str:
    out: list[str] = []
    n_cycles = sum(len(c["cycles"]) for c in f.cycles)
    out.append(f"skd architecture: {f.modules} modules, {len(f.edges)} import edges (function-level included)")
    out.append("")
    out.append(f"1. import cycles: {len(f.cycles)} strongly connected group(s), {n_cycles} cycle(s)")
    for group in f.cycles:
        out.append(f"   group of {len(group['modules'])}: {', '.join(group['modules'])}")
        for cyc in group["cycles"]:
            out.append(f"     {cyc['text']}")
    out.append("")
    out.append(f"2. private names imported across modules: {len(f.private_imports)}")
    for p in f.private_imports:
        out.append(f"   {p['file']}:{p['line']}: {p['name']} from {p['from']}  ({p['form']})")
    out.append("")
    lim = f.limits
    out.append(f"3. sizes (module > {lim['module_lines']} lines, function > {lim['function_lines']} lines): "
               f"{len(f.size_violations)} violation(s), "
               f"{sum(s['exempt'] for s in f.module_sizes + f.function_sizes)} exempt by a 'Size:' line")
    for s in f.module_sizes:
        tag = f"exempt: {s['reason']}" if s["exempt"] else "VIOLATION"
        out.append(f"   {s['file']}: module, {s['lines']} lines  [{tag}]")
    for s in f.function_sizes:
        tag = f"exempt: {s['reason']}" if s["exempt"] else "VIOLATION"
        out.append(f"   {s['file']}:{s['line']}: {s['function']}(), {s['lines']} lines  [{tag}]")
    out.append("")
    tot = {k: sum(c[k] for c in f.string_tests.values()) for k in ("axiom", "kind", "total")}
    out.append(f"4. string tests of axiom ids / operator kinds (report only): {tot['total']} comparison(s) "
               f"({tot['axiom']} axiom, {tot['kind']} kind) in {len(f.string_tests)} file(s)")
    width = max([len(r) for r in f.string_tests] + [len(r) for r in HIGHLIGHT] + [4])
    out.append(f"   {'file':<{width}}  axiom   kind  total")
    rows = sorted(set(f.string_tests) | set(HIGHLIGHT), key=lambda r: (r not in HIGHLIGHT, r))
    for rel in rows:
        c = f.string_tests.get(rel, {"axiom": 0, "kind": 0, "total": 0})
        mark = "  <- named by the issue" if rel in HIGHLIGHT else ""
        out.append(f"   {rel:<{width}}  {c['axiom']:>5}  {c['kind']:>5}  {c['total']:>5}{mark}")
    out.append("")
    out.append("OK: criteria 1-3 hold" if f.ok else "FAIL: criteria 1-3 violated (see above)")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/architecture.py", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    parser.add_argument("--package", action="append", default=None, metavar="FOLDER=NAME",
                        help="a folder and its package name (repeatable; default: operators, theory, verify as skd.*)")
    parser.add_argument("--max-module-lines", type=int, default=MAX_MODULE_LINES)
    parser.add_argument("--max-function-lines", type=int, default=MAX_FUNCTION_LINES)
    args = parser.parse_args(argv)
    packages = None
    if args.package:
        packages = {}
        for spec in args.package:
            folder, sep, name = spec.partition("=")
            if not sep or not folder or not name:
                parser.error(f"--package expects FOLDER=NAME, got {spec!r}")
            packages[folder] = name
    f = analyze(args.root, packages, max_module_lines=args.max_module_lines, max_function_lines=args.max_function_lines)
    print(json.dumps(f.to_json(), indent=2) if args.json else render(f))
    return 0 if f.ok else 1


if __name__ == "__main__":
    sys.exit(main())
