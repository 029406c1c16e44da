"""The command line: exit codes, one-line errors, no partial output, deterministic files."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import assert_one_line_error, run_cli
from tests.support.models import small_cnn, with_unsupported_op


@pytest.fixture
def cnn(tmp_path):
    path = tmp_path / "cnn.tflite"
    path.write_bytes(small_cnn())
    return path


def test_compile_writes_sources_and_manifest(tmp_path, cnn):
    out = tmp_path / "out"
    proc = run_cli("compile", str(cnn), "--target", "host", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["cnn.c", "cnn.h", "cnn.json", "cnn_data.h", "cnn_weights.c"]
    manifest = json.loads((out / "cnn.json").read_text())
    assert manifest["schema"] == "tinyml-build.manifest/1"
    assert manifest["arena_bytes"] <= manifest["plan"]["lower_bound"]
    assert next(o["kernel"] for o in manifest["ops"]) == "reference.conv2d_s8"
    assert manifest["inputs"][0]["shape"] == [1, 8, 8, 3]
    for src in manifest["sources"]:
        assert (out / src).exists() or (src.startswith("/") and __import__("os").path.exists(src))


def test_same_model_twice_gives_identical_files(tmp_path, cnn):
    for d in ("a", "b/c"):
        assert run_cli("compile", str(cnn), "--target", "host", "--out", str(tmp_path / d)
                   ).returncode == 0
    for name in ("cnn.c", "cnn.h", "cnn_data.h", "cnn_weights.c", "cnn.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b/c" / name).read_bytes()


def test_compile_from_another_folder_gives_identical_files(tmp_path, cnn):
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "cnn.tflite").write_bytes(cnn.read_bytes())
    assert run_cli("compile", str(cnn), "--target", "host", "--out", str(tmp_path / "x")
               ).returncode == 0
    assert run_cli("compile", "cnn.tflite", "--target", "host", "--out", str(tmp_path / "y"),
               cwd=other).returncode == 0
    for name in ("cnn.c", "cnn.h", "cnn_weights.c"):
        assert (tmp_path / "x" / name).read_bytes() == (tmp_path / "y" / name).read_bytes()


@pytest.mark.parametrize("kind", ["truncated", "bitflip", "empty", "text", "missing"])
def test_bad_model_files(tmp_path, kind):
    data = small_cnn()
    path = tmp_path / f"{kind}.tflite"
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "bitflip":
        flipped = bytearray(data)
        flipped[2] ^= 0x40
        path.write_bytes(bytes(flipped))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("this is a text file, not a model\n")
    out = tmp_path / "out"
    proc = run_cli("compile", str(path), "--target", "host", "--out", str(out))
    assert_one_line_error(proc, str(path))
    assert not out.exists() or not any(out.iterdir())


def test_unsupported_op(tmp_path):
    path = tmp_path / "exp.tflite"
    path.write_bytes(with_unsupported_op())
    out = tmp_path / "out"
    proc = run_cli("compile", str(path), "--target", "host", "--out", str(out))
    assert_one_line_error(proc, str(path), "EXP")
    assert not out.exists() or not any(out.iterdir())


def test_unknown_target_lists_the_known_ones(tmp_path, cnn):
    proc = run_cli("compile", str(cnn), "--target", "pdp-11", "--out", str(tmp_path / "o"))
    assert_one_line_error(proc, "unknown target 'pdp-11'", "host")


def test_bad_name(tmp_path, cnn):
    proc = run_cli("compile", str(cnn), "--target", "host", "--name", "9lives",
               "--out", str(tmp_path / "o"))
    assert_one_line_error(proc, "not a C identifier")


def test_usage_errors_exit_2(cnn):
    proc = run_cli("compile", str(cnn))
    assert proc.returncode == 2


def test_sections_reach_the_generated_code(tmp_path, cnn):
    out = tmp_path / "o"
    proc = run_cli("compile", str(cnn), "--target", "host", "--name", "m", "--out", str(out),
               "--arena-section", ".dtcm_bss", "--weights-section", ".ext_flash")
    assert proc.returncode == 0, proc.stderr
    assert 'TML_SECTION(".dtcm_bss")' in (out / "m.c").read_text()
    assert 'TML_SECTION(".ext_flash")' in (out / "m_weights.c").read_text()


def test_inspect_prints_plan_and_writes_svg(tmp_path, cnn):
    svg = tmp_path / "plan.svg"
    proc = run_cli("inspect", str(cnn), "--svg", str(svg))
    assert proc.returncode == 0, proc.stderr
    assert "reference.depthwise_conv2d_s8" in proc.stdout
    assert "arena:" in proc.stdout and "lower bound" in proc.stdout
    assert svg.read_text().startswith("<svg")


def test_plugins_lists_targets_and_kernels():
    proc = run_cli("plugins", "--kernels")
    assert proc.returncode == 0
    assert "host" in proc.stdout and "reference.conv2d_s8" in proc.stdout


def test_validate_passes_on_a_good_model(cnn):
    proc = run_cli("validate", str(cnn), "--runs", "3")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": bit-exact") == 3
