"""Bad input never crashes (issue 16): every case runs ``skd`` in a process of its own under resource
limits and must end with its expected exit code (2 for bad input or usage; 1 where a stored report
simply fails its recheck), a message naming the argument, within a CPU-time and a memory bound — and
never with exit 4 or a traceback of skd's own.

Bounds (per case): ``CPU_SECONDS`` of CPU time (user + system, so that a loaded machine does not
make the test flaky; the wall clock only guards against hangs) and ``MAX_RSS_MB`` of peak
resident memory, both measured by ``os.wait4``. The address space is capped at ``AS_LIMIT`` so
that a regression (``skd recheck /dev/zero`` once reached 23.6 GB) cannot take the machine down.

How a case runs: a server process (one per test module and worker) imports ``skd.verify.cli`` once,
as ``python -m skd.verify`` does, and forks one child per case; the child redirects its standard
streams to files, caps its address space, runs ``main(argv)`` and exits with its code, and the
server reports the child's exit code, CPU time and peak memory (``os.wait4``). The child's CPU time
therefore leaves out the ~0.6 s import, which makes the bound stricter, not looser; a few cases also
run through the real entry point (``python -m skd.verify`` in a fresh interpreter,
``test_bad_input_through_the_real_entry_point``). Forking from a preloaded process instead of
starting ~75 interpreters keeps this module at a few seconds of the README's test command.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

CPU_SECONDS = float(os.environ.get("SKD_BAD_INPUT_CPU_SECONDS", "2.5"))
MAX_RSS_MB = 500
AS_LIMIT = 4 * 1024**3
WALL_SECONDS = 60


def _limits() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def run_skd(*argv: str, cwd: Path) -> tuple[int, str, str, float, float]:
    """(exit code, stdout, stderr, CPU seconds, peak RSS in MB) of ``python -m skd.verify argv``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        env = {**os.environ, "COLUMNS": "200"}
        proc = subprocess.Popen([sys.executable, "-m", "skd.verify", *argv], stdout=out, stderr=err, cwd=cwd,
                                env=env, preexec_fn=_limits)
        deadline = time.monotonic() + WALL_SECONDS
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise AssertionError(f"skd {' '.join(argv)} did not end within {WALL_SECONDS} s")
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return (proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                cpu, usage.ru_maxrss / 1024)


#: The fork server (see the module docstring): one JSON request per line on stdin (argv, cwd, the
#: paths for the child's stdout and stderr, the wall-clock bound), one JSON answer per line on stdout.
_SERVER = r"""
import json, os, resource, sys, time, traceback
from skd.verify.cli import main
AS_LIMIT = int(sys.argv[1])
answers = os.fdopen(os.dup(1), "w")
for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 4
        try:
            os.chdir(req["cwd"])
            for fd, path in ((1, req["out"]), (2, req["err"])):
                f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(f, fd)
                os.close(f)
            resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
            sys.argv = ["skd", *req["argv"]]
            try:
                code = main(req["argv"])
            except SystemExit as exc:  # as python -m would: an int code is the exit code, else 1
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # as python -m would: the traceback on stderr, exit 1
                traceback.print_exc()
                code = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    deadline = time.monotonic() + req["wall"]
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            answer = {"code": os.waitstatus_to_exitcode(status), "cpu": usage.ru_utime + usage.ru_stime,
                      "rss_mb": usage.ru_maxrss / 1024, "hung": False}
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.wait4(pid, 0)
            answer = {"code": None, "cpu": 0.0, "rss_mb": 0.0, "hung": True}
            break
        time.sleep(0.01)
    answers.write(json.dumps(answer) + "\n")
    answers.flush()
"""


class ForkServer:
    """Runs ``skd`` cases in children forked from one process that imported the CLI once."""

    def __init__(self) -> None:
        env = {**os.environ, "COLUMNS": "200"}
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVER, str(AS_LIMIT)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, text=True)
        self.tmp = tempfile.TemporaryDirectory()

    def run(self, *argv: str, cwd: Path) -> tuple[int, str, str, float, float]:
        """(exit code, stdout, stderr, CPU seconds, peak RSS in MB) of ``main(argv)`` in a forked child."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        out, err = Path(self.tmp.name, "out"), Path(self.tmp.name, "err")
        req = {"argv": list(argv), "cwd": str(cwd), "out": str(out), "err": str(err), "wall": WALL_SECONDS}
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"the fork server died (exit {self.proc.poll()}) running skd {' '.join(argv)}"
        answer = json.loads(line)
        assert not answer["hung"], f"skd {' '.join(argv)} did not end within {WALL_SECONDS} s"
        return (answer["code"], out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace"),
                answer["cpu"], answer["rss_mb"])

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.tmp.cleanup()


@pytest.fixture(scope="module")
def server() -> Any:
    srv = ForkServer()
    yield srv
    srv.close()


# -- input files ----------------------------------------------------------------------------------

def _power_report() -> dict[str, Any]:
    """A report of power made by hand (no checker run): every axiom unknown."""
    from skd.operators import library
    from skd.verify.verdict import Report, Verdict, operator_json

    axioms = ["well_defined", "ranking", "continuity", "entropy", "identity", "boundary_cold", "boundary_hot"]
    verdicts = tuple(Verdict(a, "unknown", "prover and refuter", reason="r", reason_kind="undecided") for a in axioms)
    return Report(operator=operator_json(library.power), profile="paper", verdicts=verdicts).to_json()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("bad_input")
    rep = _power_report()
    (d / "power.json").write_text(json.dumps(rep))
    (d / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    (d / "bigint.json").write_text('{"schema_version": ' + "9" * 5000 + "}")
    (d / "dupkey.json").write_text('{"schema_version": 1, "schema_version": 1}')
    (d / "nan.json").write_text('{"schema_version": NaN}')
    (d / "latin1.json").write_bytes(b'{"a": "\xe9"}')
    (d / "notjson.json").write_text("{not json")
    (d / "version2.json").write_text(json.dumps({**rep, "schema_version": 2}))
    dup = json.loads(json.dumps(rep))
    dup["verdicts"].append(dict(dup["verdicts"][0]))
    dup["verdicts"] = dup["verdicts"][:1] * 2
    (d / "dupverdict.json").write_text(json.dumps(dup))
    many = {"schema_version": 1, "tool": {}, "operators": [rep] * 300}
    (d / "many.json").write_text(json.dumps(many))
    weak = {**rep, "profile": "weak"}
    (d / "weak.json").write_text(json.dumps(weak))
    empty = {**rep, "verdicts": [], "qualifies": True}
    (d / "empty_qualifies.json").write_text(json.dumps(empty))
    huge_v = json.loads(json.dumps(rep))
    n = 200_000
    huge_v["qualifies"] = False
    huge_v["verdicts"][4] = {
        "axiom": "identity", "status": "refuted", "method": "search", "scope": "full", "certificate": [],
        "reason": None, "reason_kind": None, "seconds": 1.0,
        "counterexample": {"statement": "F_1(p)_0 != p_0", "p": ["1/200000"] * n, "V": n, "T": "1", "T2": None,
                           "i": 0, "j": None, "values": {}, "limit": None,
                           "lhs": {"ball": "[0.5 +/- 0.1]", "decimal": "0.5"}, "rhs": {"ball": "0.25", "decimal": "0.25"},
                           "relation": "!=", "certified_by": "exact rational arithmetic", "reproduce": "x" * 1000}}
    (d / "huge_v.json").write_text(json.dumps(huge_v))
    (d / "adir").mkdir()
    (d / "ops.py").write_text("from skd.operators import separable\npw = separable('x**(1/T)', name='pw')\n")
    (d / "dup.py").write_text("from skd.operators import separable\n"
                              "a = separable('x**(1/T)', name='dup')\nb = separable('x**(2/T)', name='dup')\n")
    (d / "boom.py").write_text("x = 1 / 0\n")
    (d / "nodefs.py").write_text("VALUE = 3\n")
    (d / "garbage.py").write_text("def (:\n")
    (d / "vraise.py").write_text(
        "from skd.operators import vector\n"
        "def alg(p, T, ar):\n    return [v / 0 for v in p]\n"
        "op = vector(alg, name='vraise', definition='divides by zero')\n")
    (d / "vnonlist.py").write_text(
        "from skd.operators import vector\n"
        "def alg(p, T, ar):\n    return 42\n"
        "op = vector(alg, name='vnonlist', definition='returns a number')\n")
    (d / "exits.py").write_text("import sys\nsys.exit(3)\n")
    return d


# -- the cases: (id, argv, expected exit code, words that must appear in the output) ----------------

CASES: list[tuple[str, list[str], int, list[str]]] = [
    # flags validated before any work
    ("timeout-huge", ["check", "power", "--timeout", "3e6"], 2, ["--timeout", "<= 1e+06"]),
    ("timeout-zero", ["check", "power", "--timeout", "0"], 2, ["--timeout"]),
    ("timeout-nan", ["check", "power", "--timeout", "nan"], 2, ["--timeout"]),
    ("timeout-negative", ["check", "power", "--timeout", "-1"], 2, ["--timeout"]),
    ("timeout-inf", ["check", "power", "--timeout", "inf"], 2, ["--timeout"]),
    ("timeout-word", ["check", "power", "--timeout", "soon"], 2, ["--timeout", "not a number"]),
    ("seed-negative", ["check", "power", "--seed", "-3"], 2, ["--seed"]),
    ("seed-float", ["check", "power", "--seed", "1e3"], 2, ["--seed"]),
    ("seed-huge", ["check", "power", "--seed", "9" * 5000], 2, ["--seed"]),
    ("profile", ["check", "power", "--profile", "nope"], 2, ["--profile"]),
    ("derive-timeout-huge", ["derive", "power", "--timeout", "3e6"], 2, ["--timeout"]),
    ("derive-out-under-a-file", ["derive", "power", "--out", "/etc/hostname/x"], 2, ["--out", "not a directory"]),
    ("derive-out-is-a-file", ["derive", "power", "--out", "/etc/hostname"], 2, ["--out", "not a directory"]),
    ("derive-jobs", ["derive", "--all", "--jobs", "0"], 2, ["--jobs"]),
    ("derive-check-needs-all", ["derive", "power", "--check"], 2, ["--check"]),
    ("crosscheck-cases", ["crosscheck", "power", "--cases", "0"], 2, ["--cases"]),
    ("crosscheck-nothing", ["crosscheck"], 2, ["give an operator"]),
    ("unknown-command", ["frobnicate"], 2, ["invalid choice"]),
    # selecting the operator
    ("name-unknown", ["check", "no_such_operator"], 2, ["NAME", "no_such_operator"]),
    ("two-selections", ["check", "power", "--score", "x"], 2, ["NAME and --score"]),
    ("name-without-score", ["check", "--name", "foo"], 2, ["--name"]),
    ("name-with-space", ["check", "--score", "x**(1/T)", "--name", "a b"], 2, ["--name"]),
    ("strict-without-baseline", ["check", "power", "--strict"], 2, ["--strict"]),
    # scores: the parser's messages
    ("score-caret", ["check", "--score", "x^2"], 2, ["--score", "'^'", "column 1"]),
    ("score-truncated", ["check", "--score", "x**"], 2, ["--score", "ends too early", "column 3"]),
    ("score-open-paren", ["check", "--score", "x**(1/T"], 2, ["--score", "never closed"]),
    ("score-zero-times-x", ["check", "--score", "0*x"], 2, ["--score", "does not depend on x", "simplifies to 0"]),
    ("score-cyrillic-T", ["check", "--score", "x**(1/\u0422)"], 2, ["--score", "U+0422", "did you mean 'T'"]),
    ("score-power-tower", ["check", "--score", "9**9**8"], 2, ["--score", "exponent"]),
    ("score-python", ["check", "--score", "__import__('os').system('true')"], 2, ["--score"]),
    ("score-long", ["check", "--score", "x+" * 1500 + "x"], 2, ["--score"]),
    ("score-empty", ["check", "--score", ""], 2, ["--score", "empty"]),
    ("score-leading-minus", ["check", "--score", "-y**(1/T)"], 2, ["--score", "unknown symbol 'y'"]),
    ("score-deep", ["check", "--score", "(" * 100 + "x" + ")" * 100], 2, ["--score", "nesting"]),
    # --file: the user's Python
    ("file-missing", ["check", "--file", "missing.py"], 2, ["--file", "no such file"]),
    ("file-directory", ["check", "--file", "adir"], 2, ["--file", "is a directory"]),
    ("file-duplicate-names", ["check", "--file", "dup.py:dup"], 2, ["--file", "2 Operators are named 'dup'", "a, b"]),
    ("file-duplicate-names-all", ["check", "--file", "dup.py"], 2, ["--file", "named 'dup'"]),
    ("file-raises-on-import", ["check", "--file", "boom.py"], 2, ["--file", "ZeroDivisionError"]),
    ("file-syntax-error", ["check", "--file", "garbage.py"], 2, ["--file", "SyntaxError"]),
    ("file-sys-exit", ["check", "--file", "exits.py"], 2, ["--file", "SystemExit"]),
    ("file-no-operator", ["check", "--file", "nodefs.py"], 2, ["--file", "defines no Operator"]),
    ("file-wrong-name", ["check", "--file", "ops.py:nope"], 2, ["--file", "no Operator named 'nope'", "pw"]),
    ("file-vector-raises", ["check", "--file", "vraise.py"], 2, ["--file", "vraise", "ZeroDivisionError", "v / 0"]),
    ("file-vector-not-a-list", ["check", "--file", "vnonlist.py"], 2, ["--file", "vnonlist", "returned a int"]),
    ("derive-file-vector-raises", ["derive", "--file", "vraise.py"], 2, ["--file", "ZeroDivisionError"]),
    # --baseline: untrusted stored reports
    ("baseline-missing", ["check", "power", "--baseline", "missing.json"], 2, ["--baseline", "no such file"]),
    ("baseline-directory", ["check", "power", "--baseline", "adir"], 2, ["--baseline", "is a directory"]),
    ("baseline-dev-zero", ["check", "power", "--baseline", "/dev/zero"], 2, ["--baseline", "larger than"]),
    ("baseline-deep", ["check", "power", "--baseline", "deep.json"], 2, ["--baseline", "deep.json", "nests"]),
    ("baseline-bigint", ["check", "power", "--baseline", "bigint.json"], 2, ["--baseline", "bigint.json", "5000 digits"]),
    ("baseline-duplicate-key", ["check", "power", "--baseline", "dupkey.json"], 2, ["--baseline", "duplicate key"]),
    ("baseline-nan", ["check", "power", "--baseline", "nan.json"], 2, ["--baseline", "NaN"]),
    ("baseline-not-utf8", ["check", "power", "--baseline", "latin1.json"], 2, ["--baseline", "UTF-8"]),
    ("baseline-not-json", ["check", "power", "--baseline", "notjson.json"], 2, ["--baseline", "is not JSON"]),
    ("baseline-duplicate-verdict", ["check", "power", "--baseline", "dupverdict.json"], 2,
     ["--baseline", "more than one verdict"]),
    ("baseline-version", ["check", "power", "--baseline", "version2.json"], 2, ["--baseline", "schema_version"]),
    ("baseline-profile", ["check", "power", "--baseline", "weak.json"], 2, ["--baseline", "--profile weak"]),
    ("derive-baseline-deep", ["derive", "power", "--baseline", "deep.json"], 2, ["--baseline", "nests"]),
    ("derive-baseline-bigint", ["derive", "power", "--baseline", "bigint.json"], 2, ["--baseline", "digits"]),
    ("derive-baseline-dev-zero", ["derive", "power", "--baseline", "/dev/zero"], 2, ["--baseline", "larger than"]),
    # recheck: caps and strict shape
    ("recheck-dev-zero", ["recheck", "/dev/zero"], 2, ["recheck", "larger than"]),
    ("recheck-deep", ["recheck", "deep.json"], 2, ["recheck", "nests"]),
    ("recheck-bigint", ["recheck", "bigint.json"], 2, ["recheck", "digits"]),
    ("recheck-duplicate-key", ["recheck", "dupkey.json"], 2, ["recheck", "duplicate key"]),
    ("recheck-duplicate-verdict", ["recheck", "dupverdict.json"], 2, ["recheck", "more than one verdict"]),
    ("recheck-too-many-operators", ["recheck", "many.json"], 2, ["recheck", "300 operator reports", "--max-operators"]),
    ("recheck-max-bytes", ["recheck", "power.json", "--max-bytes", "10"], 2, ["recheck", "larger than 10 bytes"]),
    ("recheck-max-bytes-zero", ["recheck", "power.json", "--max-bytes", "0"], 2, ["--max-bytes"]),
    ("recheck-directory", ["recheck", "adir"], 2, ["recheck", "is a directory"]),
    ("recheck-missing", ["recheck", "missing.json"], 2, ["recheck", "no such file"]),
    # stored reports that are well-formed but claim what they do not hold: a failed recheck (1)
    ("recheck-qualifies-without-verdicts", ["recheck", "empty_qualifies.json"], 1,
     ["report: axioms", "missing", "report: qualifies"]),
    ("recheck-huge-V", ["recheck", "huge_v.json"], 1, ["identity", "V = 200000", "cap"]),
]


def test_bad_input_suite_has_at_least_40_cases() -> None:
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input(case: tuple[str, list[str], int, list[str]], files: Path, server: ForkServer) -> None:
    _assert_handled(case, server.run(*case[1], cwd=files))


#: Cases also run through ``python -m skd.verify`` in a fresh interpreter (import included in the
#: bounds): one per kind of input (a flag, a score, the user's file, a stored report, recheck).
REAL_ENTRY_POINT = ["timeout-nan", "score-caret", "file-raises-on-import", "baseline-dev-zero", "recheck-deep",
                    "recheck-huge-V"]


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in REAL_ENTRY_POINT],
                         ids=[c[0] for c in CASES if c[0] in REAL_ENTRY_POINT])
def test_bad_input_through_the_real_entry_point(case: tuple[str, list[str], int, list[str]], files: Path) -> None:
    _assert_handled(case, run_skd(*case[1], cwd=files))


def test_bad_input_fork_server_reports_exit_code_streams_and_a_crash() -> None:
    """The fork server is a faithful runner: the exit code, each stream in its place, the child's own
    memory (the imported CLI included), and a child's exit code that is not 0."""
    srv = ForkServer()
    try:
        code, out, err, cpu, rss = srv.run("--version", cwd=Path.cwd())
        assert code == 0 and out.startswith("skd ") and err == "", (code, out, err)
        assert rss > 50 and cpu >= 0, (rss, cpu)
        code, out, err, _, _ = srv.run("check", "power", "--timeout", "nan", cwd=Path.cwd())
        assert code == 2 and "--timeout" in err and out == ""
    finally:
        srv.close()


def _assert_handled(case: tuple[str, list[str], int, list[str]], result: tuple[int, str, str, float, float]) -> None:
    name, argv, expected, words = case
    code, out, err, cpu, rss = result
    text = out + err
    assert code == expected, f"{name}: exit {code}, expected {expected}\n{text[-3000:]}"
    assert code != 4 and "internal error" not in text, text[-3000:]
    for w in words:
        assert w in text, f"{name}: {w!r} not in the output:\n{text[-3000:]}"
    # a traceback only ever shows the user's own code (--file), never skd's
    if "Traceback" in text:
        assert name.startswith(("file-", "derive-file-")), text[-3000:]
        assert "skd/verify" not in text.split("Traceback", 1)[1].split("\n")[1], text[-3000:]
    assert len(text) < 20_000, f"{name}: {len(text)} characters of output (messages must be bounded)"
    assert cpu <= CPU_SECONDS, f"{name}: {cpu:.2f} s of CPU time (bound {CPU_SECONDS} s)"
    assert rss <= MAX_RSS_MB, f"{name}: {rss:.0f} MB peak memory (bound {MAX_RSS_MB} MB)"


@pytest.mark.parametrize("values, needle", [
    ({"a": -1}, "outside the declared domain (0, oo)"),
    ({"b": 1}, "has no parameter 'b'"),
    ({"a": 0.5}, "not an exact rational"),
])
def test_bad_input_fixed_parameter_values_are_refused_before_any_search(values, needle):
    """check/check_axiom/refute refuse fixed values outside a parameter's domain, of unknown
    parameters, or inexact, instead of searching at them and reporting their near misses."""
    from skd.operators import Param, separable
    from skd.operators.errors import InvalidArgument
    from skd.verify import check
    from skd.verify.checker import check_axiom
    from skd.verify.refute import refute

    op = separable("x**(a/T)", params=[Param("a", lower=0, lower_closed=False)], name="pa")
    for call in (lambda: check(op, values=values), lambda: check_axiom(op, "ranking", values=values),
                 lambda: refute(op, "ranking", seconds=1, values=values)):
        with pytest.raises(InvalidArgument) as info:
            call()
        assert needle in str(info.value)
