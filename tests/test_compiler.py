"""compile_model end to end in memory, and robustness against corrupted input."""

from __future__ import annotations

import numpy as np

from tests.support.models import small_cnn
from tinyml_build.compiler import CompileOptions, compile_model, write_outputs
from tinyml_build.errors import TinymlError
from tinyml_build.plugins import load_plugins


def test_corrupted_models_fail_cleanly_or_compile(tmp_path):
    """300 random single-bit flips: each compiles or raises TinymlError, nothing else."""
    data = small_cnn()
    rng = np.random.RandomState(11)
    plugins = load_plugins()
    path = tmp_path / "f.tflite"
    outcomes = {"ok": 0, "error": 0}
    for _ in range(300):
        flipped = bytearray(data)
        flipped[int(rng.randint(0, len(data)))] ^= 1 << int(rng.randint(0, 8))
        path.write_bytes(bytes(flipped))
        try:
            compile_model(path, CompileOptions(), plugins)
            outcomes["ok"] += 1
        except TinymlError:
            outcomes["error"] += 1
    assert outcomes["error"] > 50 and outcomes["ok"] > 50


def test_write_outputs_leaves_no_staging_folder(tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(small_cnn())
    result = compile_model(path, CompileOptions())
    out = tmp_path / "out"
    written = write_outputs(result, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)


def test_output_path_that_is_a_file_is_an_error(tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(small_cnn())
    result = compile_model(path, CompileOptions())
    blocker = tmp_path / "file"
    blocker.write_text("x")
    try:
        write_outputs(result, blocker)
    except TinymlError as exc:
        assert "file" in str(exc)
    else:
        raise AssertionError("writing into a file path must fail")
