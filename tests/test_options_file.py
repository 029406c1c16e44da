"""The .tinyml.toml options file and its precedence on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.models import fc_relu
from tinyml_build.cli import main
from tinyml_build.errors import TinymlError
from tinyml_build.options_file import ModelOptions, load_options


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.tinyml.toml"
    path.write_text(text)
    return path


def test_all_keys(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "kws"\nbackend = "reference"\nalignment = 32\n'
                           '[sections]\narena = ".a"\nweights = ".w"\n')
    assert load_options(path) == ModelOptions("kws", "reference", 32, ".a", ".w")


def test_every_key_is_optional(tmp_path: Path) -> None:
    assert load_options(write(tmp_path, "")) == ModelOptions()


@pytest.mark.parametrize(("text", "message"), [
    ("colour = 1\n", "unknown option 'colour'"),
    ("[sections]\nstack = '.s'\n", "unknown option 'sections.stack'"),
    ("alignment = '16'\n", "'alignment' must be a int, not str"),
    ("alignment = true\n", "'alignment' must be a int, not bool"),
    ("sections = 3\n", "'sections' must be a table"),
    ("name = \n", "not a valid TOML options file"),
])
def test_errors_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(TinymlError) as err:
        load_options(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TinymlError, match="options file not found"):
        load_options(tmp_path / "nope.toml")


def test_compile_uses_the_file_and_flags_win(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "model.tflite"
    model.write_bytes(fc_relu(0))
    opts = write(tmp_path, 'name = "net"\nalignment = 64\n[sections]\narena = ".file"\n'
                           'weights = ".w"\n')
    out = tmp_path / "out"
    assert main(["compile", str(model), "--target", "host", "--options", str(opts),
                 "--arena-section", ".flag", "--out", str(out), "-q"]) == 0
    manifest = json.loads((out / "net.json").read_text())
    assert manifest["arena_section"] == ".flag"
    assert manifest["weights_section"] == ".w"
    assert manifest["plan"]["alignment"] == 64

    assert main(["compile", str(model), "--target", "host", "--options", str(opts),
                 "--name", "other", "--alignment", "8", "--out", str(out), "-q"]) == 0
    manifest = json.loads((out / "other.json").read_text())
    assert manifest["plan"]["alignment"] == 8 and manifest["arena_section"] == ".file"


def test_compile_reports_a_bad_options_file_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "model.tflite"
    model.write_bytes(fc_relu(0))
    opts = write(tmp_path, "alignment = 'x'\n")
    assert main(["compile", str(model), "--target", "host", "--options", str(opts),
                 "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tinyml-build: error: ")
