"""Validation of numeric inputs (:mod:`skd.operators.validate`) and through :func:`apply`.

Every bad input raises :class:`~skd.operators.errors.InvalidArgument` — a ``ValueError`` — whose
``argument`` names the argument (``p`` or ``T``), whose ``value`` is the offending value, and
whose message shows both; and it does so fast, even for large inputs.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from skd.operators import apply, library
from skd.operators.errors import InvalidArgument, SkdInputError
from skd.operators.validate import check_distribution, check_temperature, row_tolerance

FAST = 0.5  # seconds: generous for a shared CI machine, far below any hang


def rejects(fn, arg, argument: str, *fragments: str) -> InvalidArgument:  # type: ignore[no-untyped-def]
    """``fn(arg)`` raises InvalidArgument naming ``argument``, with every fragment in the message, fast."""
    t0 = time.perf_counter()
    with pytest.raises(InvalidArgument) as info:
        fn(arg)
    elapsed = time.perf_counter() - t0
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, SkdInputError)
    assert err.argument == argument
    msg = str(err)
    assert msg.startswith(f"{argument}="), msg
    for fragment in fragments:
        assert fragment in msg, (fragment, msg)
    assert elapsed < FAST, f"took {elapsed:.2f}s"
    return err


# -- p: entries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_validate_negative_entry_is_rejected_with_its_index_and_value(dtype: type) -> None:
    err = rejects(check_distribution, np.array([[0.5, 0.5], [1.25, -0.25]], dtype=dtype), "p", "-0.25", "(1, 1)", ">= 0")
    assert err.value == -0.25


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_validate_non_finite_entry_is_rejected_with_its_index(bad: float) -> None:
    err = rejects(check_distribution, [0.25, bad, 0.75], "p", "(1,)", "finite")
    assert str(err.value) == str(bad)


def test_validate_negative_zero_is_accepted_as_zero() -> None:
    out = check_distribution([-0.0, 1.0])
    assert out.tolist() == [0.0, 1.0]


# -- p: row sums ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_validate_row_sum_tolerance_is_sqrt_eps_of_the_dtype(dtype: type) -> None:
    tol = row_tolerance(dtype)
    assert tol == pytest.approx(math.sqrt(np.finfo(dtype).eps))
    inside = np.array([0.5, 0.5 + 0.5 * tol], dtype=np.float64).astype(dtype)
    assert abs(float(inside.astype(np.float64).sum()) - 1) <= tol
    check_distribution(inside)  # accepted, used as given
    outside = np.array([0.5, 0.5 + 3 * tol], dtype=np.float64).astype(dtype)
    rejects(check_distribution, outside, "p", "sums to", f"{tol:.2g}")


def test_validate_row_not_summing_to_one_is_rejected_naming_the_row() -> None:
    p = np.array([[0.5, 0.5], [0.5, 0.5], [0.6, 0.6]])
    err = rejects(check_distribution, p, "p", "row (2,)", "1.2")
    assert err.value == pytest.approx(1.2)


def test_validate_all_zero_row_is_rejected() -> None:
    rejects(check_distribution, np.zeros((2, 3)), "p", "row (0,)", "sums to 0.0")


def test_validate_rows_are_used_as_given_not_renormalised() -> None:
    p = np.array([0.5, 0.5 + 1e-9])
    out = check_distribution(p)
    assert out is p


# -- p: shape and type ----------------------------------------------------------------------------


@pytest.mark.parametrize("empty", [[], np.zeros((0,)), np.zeros((3, 0)), np.zeros((0, 4))])
def test_validate_empty_array_is_rejected(empty: object) -> None:
    rejects(check_distribution, empty, "p", "empty")


@pytest.mark.parametrize("scalar", [np.array(1.0), 1.0, np.float32(1.0)])
def test_validate_zero_dimensional_input_is_rejected(scalar: object) -> None:
    rejects(check_distribution, scalar, "p", "0-dimensional")


@pytest.mark.parametrize("p", [[1.0], np.ones((4, 1))])
def test_validate_single_class_is_rejected(p: object) -> None:
    rejects(check_distribution, p, "p", "V >= 2", "V=1")


@pytest.mark.parametrize(
    ("p", "fragment"),
    [
        ("0.5,0.5", "string"),
        (["0.5", "0.5"], "string"),
        ([0.5, "0.5"], "string"),
        ([True, False], "bool"),
        ([0.5 + 0j, 0.5], "complex"),
        ([None, 1.0], "object"),
        ([[0.5, 0.5], [1.0]], "not a numeric array"),
        ({"a": 1.0}, "object"),
    ],
)
def test_validate_non_numeric_input_is_rejected(p: object, fragment: str) -> None:
    rejects(check_distribution, p, "p", fragment)


def test_validate_numeric_inputs_of_other_types_are_converted() -> None:
    assert check_distribution([Fraction(1, 4), Fraction(3, 4)]).tolist() == [0.25, 0.75]
    assert check_distribution([0, 1]).dtype == np.float64
    assert check_distribution(np.array([0.5, 0.5], dtype=np.float16)).dtype == np.float64
    assert check_distribution(np.array([0.5, 0.5], dtype=np.float32)).dtype == np.float32
    assert check_distribution([0.5, 0.5], dtype=np.float32).dtype == np.float32


def test_validate_large_bad_inputs_are_answered_fast() -> None:
    big = np.full((2000, 1000), 1e-3)
    big[-1, -1] = np.nan
    rejects(check_distribution, big, "p", "(1999, 999)", "finite")
    big[-1, -1] = -1e-3
    rejects(check_distribution, big, "p", "(1999, 999)", ">= 0")
    big[-1, -1] = 2e-3
    rejects(check_distribution, big, "p", "row (1999,)")
    err = rejects(check_distribution, [0.5] * 200_000 + ["x"], "p", "string")
    assert len(str(err)) < 300  # the message does not spell out a huge input


# -- T --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("T", [0, 0.0, -1.0, -1e-300, math.nan, math.inf, -math.inf, 10**400, Decimal("NaN")])
def test_validate_temperature_not_finite_positive_is_rejected(T: object) -> None:
    err = rejects(check_temperature, T, "T", "finite and > 0")
    assert err.value is T


@pytest.mark.parametrize(("T", "fragment"), [("1.0", "string"), (True, "bool"), (1 + 0j, "real"), (None, "real"), (np.array([0.5]), "scalar"), ([1.0], "real")])
def test_validate_temperature_of_wrong_type_is_rejected(T: object, fragment: str) -> None:
    rejects(check_temperature, T, "T", fragment)


@pytest.mark.parametrize(("T", "expected"), [(2, 2.0), (Fraction(1, 4), 0.25), (Decimal("0.5"), 0.5), (np.float32(0.5), 0.5), (np.array(3.0), 3.0), (5e-324, 5e-324)])
def test_validate_temperature_real_scalars_are_accepted(T: object, expected: float) -> None:
    assert check_temperature(T) == expected


# -- through apply --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [op.name for op in library.ALL])
def test_validate_apply_rejects_bad_input_for_every_builtin(name: str) -> None:
    op = library.get(name)
    rejects(lambda p: apply(op, p, 1.0), [0.5, -0.5, 1.0], "p", ">= 0")
    rejects(lambda p: apply(op, p, 1.0), [0.7, 0.7], "p", "sums to")
    rejects(lambda T: apply(op, [0.5, 0.5], T), 0.0, "T", "> 0")
    rejects(lambda T: apply(op, [0.5, 0.5], T), math.nan, "T", "> 0")
