"""The onnx package's own backend node tests, compiled to C and run on the host.

Every selected case (see tests/support/onnx_node_suite.py) is compiled; all of them are
built into one program with one C compile (with ASan/UBSan when the host compiler has
them, so a kernel's out-of-bounds access or overflow fails the case), and each runs on
the test's own input data.
Outputs must match the test's expected outputs: float32 within rtol 1e-3 / atol 1e-5,
integers within 1 LSB. The cases that do not pass are listed, with the reason, in
onnx_node_expected_failures.txt; a failure not listed there and a listed case that passes
both fail this test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("onnx", reason="the ONNX node tests need the onnx package")

from tests.support.multibuild import build_many, sanitizer_flags
from tests.support.onnx_node_suite import (
    compare,
    compile_case,
    load_expected_failures,
    select_cases,
)
from tinyml_build.errors import TinymlError

pytestmark = pytest.mark.slow

EXPECTED = Path(__file__).with_name("onnx_node_expected_failures.txt")
MIN_PASS_RATE = 0.90


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, str | None]:
    """test name -> None when it passes, else why not."""
    folder = tmp_path_factory.mktemp("onnx_node")
    cases = select_cases()
    results, compiled, outcome = [], [], {}
    for case in cases:
        r = compile_case(case, folder, len(results))
        if isinstance(r, Exception):
            outcome[case.name] = f"compile: {r}"
        else:
            results.append(r)
            compiled.append(case)
    program = build_many(results, folder / "build",
                         extra_flags=sanitizer_flags(folder / "probe"))
    for i, case in enumerate(compiled):
        try:
            ours = program.run(i, case.runtime_inputs)
        except TinymlError as exc:
            outcome[case.name] = f"run: {exc}"
            continue
        outcome[case.name] = compare(ours, case.outputs)
    return outcome


def test_selection_covers_the_ops(outcomes: dict[str, str | None]) -> None:
    # onnx 1.23.2 has 226 such cases; another onnx version may add or drop a few
    assert 200 <= len(outcomes) <= 260, f"{len(outcomes)} node tests selected"


def test_pass_rate(outcomes: dict[str, str | None]) -> None:
    passed = sum(1 for v in outcomes.values() if v is None)
    rate = passed / len(outcomes)
    assert rate >= MIN_PASS_RATE, f"{passed}/{len(outcomes)} node tests pass ({rate:.1%})"


def test_failures_are_the_expected_ones(outcomes: dict[str, str | None]) -> None:
    expected = load_expected_failures(EXPECTED)
    failing = {name: why for name, why in outcomes.items() if why is not None}
    unexpected = {n: w for n, w in failing.items() if n not in expected}
    fixed = sorted(n for n in expected if outcomes.get(n, "absent") is None)
    other_reason = {n: w for n, w in failing.items() if n in expected and expected[n] not in w}
    assert not unexpected, "node tests that fail but are not expected to:\n" + "\n".join(
        f"  {n}: {w}" for n, w in sorted(unexpected.items()))
    assert not fixed, "node tests that now pass; remove them from " \
        f"{EXPECTED.name}: {fixed}"
    assert not other_reason, "node tests failing for another reason than listed:\n" + \
        "\n".join(f"  {n}: {w}" for n, w in sorted(other_reason.items()))
    missing = sorted(n for n in expected if n not in outcomes)
    assert not missing, f"listed node tests that were not selected: {missing}"
