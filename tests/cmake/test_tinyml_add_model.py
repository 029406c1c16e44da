"""tinyml_add_model() in a user project built for the host: results, rebuilds, errors."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.models import conv_fc_softmax, fc_relu

from .conftest import (
    BIN,
    REPO,
    TOOLCHAINS,
    build,
    cmake_dir,
    configure,
    is_noop,
    need_tools,
    parse_outputs,
    run,
    run_program,
    tflm_run,
)
from .project import Model, write_project


def two_models() -> list[Model]:
    return [Model("m1", conv_fc_softmax(0)), Model("m2", fc_relu(0), seed=3)]


def check_against_tflm(build_dir: Path, models: list[Model]) -> None:
    r = run_program(build_dir, build_dir / "app", [])
    assert r.returncode == 0, r.out
    outputs = parse_outputs(r.out)
    for m in models:
        assert outputs[m.name].tolist() == tflm_run(m.data, m.input()).tolist(), m.name


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_models_link_side_by_side_and_match_tflm(tmp_path: Path) -> None:
    models = two_models()
    write_project(tmp_path / "src", models)
    configure(tmp_path / "src", tmp_path / "b")
    r = build(tmp_path / "b", "-j8")
    assert r.out.count("tinyml-build: generating") == 2
    check_against_tflm(tmp_path / "b", models)

    # each kernel source is compiled once, into the shared kernel library of the target
    ninja = (tmp_path / "b" / "build.ninja").read_text()
    compiled = re.findall(r"^build (\S*tml_\w+\.c\.o):", ninja, re.M)
    assert compiled and len(compiled) == len(set(Path(c).name for c in compiled))
    assert all("tinyml_kernels_host_reference.dir" in c for c in compiled)
    manifest = json.loads((tmp_path / "b/tinyml/m1/m1.json").read_text())
    assert manifest["name"] == "m1" and manifest["target"] == "host"


def test_only_the_kernels_a_model_calls_are_linked(tmp_path: Path) -> None:
    need_tools("nm")
    models = [Model("m2", fc_relu(0))]  # fully connected only
    write_project(tmp_path / "src", models)
    configure(tmp_path / "src", tmp_path / "b")
    build(tmp_path / "b")
    symbols = run(["nm", tmp_path / "b" / "app"]).out
    assert "tml_fully_connected" in symbols
    assert "tml_conv" not in symbols and "tml_softmax" not in symbols


def test_rebuilds_exactly_when_an_input_changes(tmp_path: Path) -> None:
    models = two_models()
    src, b = tmp_path / "src", tmp_path / "b"
    (src).mkdir()
    (src / "m1.tinyml.toml").write_text("alignment = 16\n")
    models[0].args = ["OPTIONS", "m1.tinyml.toml"]
    write_project(src, models)
    configure(src, b)
    build(b)
    noop, out = is_noop(b)
    assert noop, out

    # touching the model reruns its generator (and only its), then nothing again
    (src / "m1.tflite").touch()
    r = build(b)
    assert "generating m1 " in r.out and "generating m2 " not in r.out
    noop, out = is_noop(b)
    assert noop, out

    # touching the options file reruns the generator too
    (src / "m1.tinyml.toml").touch()
    r = build(b)
    assert "generating m1 " in r.out
    assert is_noop(b)[0]

    # a different model changes the binary and its results (still TFLM's)
    before = sha256(b / "app")
    changed = Model("m1", conv_fc_softmax(1))
    (src / "m1.tflite").write_bytes(changed.data)
    build(b)
    assert sha256(b / "app") != before
    check_against_tflm(b, [changed, models[1]])


def test_options_file_and_arguments(tmp_path: Path) -> None:
    src, b = tmp_path / "src", tmp_path / "b"
    src.mkdir()
    (src / "m1.tinyml.toml").write_text(
        'name = "ignored_by_cmake"\nbackend = "reference"\nalignment = 64\n'
        '[sections]\narena = ".file_arena"\nweights = ".file_weights"\n')
    models = [Model("m1", conv_fc_softmax(0),
                    args=["OPTIONS", "m1.tinyml.toml", "ARENA_SECTION", ".arg_arena"])]
    write_project(src, models)
    configure(src, b)
    build(b)
    manifest = json.loads((b / "tinyml/m1/m1.json").read_text())
    assert manifest["name"] == "m1"  # <name> of tinyml_add_model is the C prefix
    assert manifest["arena_section"] == ".arg_arena"  # the argument beats the file
    assert manifest["weights_section"] == ".file_weights"
    assert manifest["plan"]["alignment"] == 64
    assert 'TML_SECTION(".file_weights")' in (b / "tinyml/m1/m1_weights.c").read_text()
    check_against_tflm(b, models)


def test_build_time_error_is_one_line(tmp_path: Path) -> None:
    src, b = tmp_path / "src", tmp_path / "b"
    write_project(src, [Model("m1", conv_fc_softmax(0))])
    configure(src, b)
    (src / "m1.tflite").write_bytes(b"not a flatbuffer")
    r = build(b, check=False)
    assert r.returncode != 0
    errors = [line for line in r.out.splitlines() if line.startswith("tinyml-build: error:")]
    assert len(errors) == 1 and "m1.tflite" in errors[0], r.out
    assert "Traceback" not in r.out


def _configure_error(tmp_path: Path, cmake_call: str, *args: str,
                     model: bytes | None = None) -> str:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    if model is not None:
        (src / "m.tflite").write_bytes(model)
    (src / "main.c").write_text("int main(void) { return 0; }\n")
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.21)\nproject(p LANGUAGES C)\n"
        f"find_package(TinyMLBuild 0.1 REQUIRED)\n{cmake_call}\n")
    r = configure(src, tmp_path / "b", *args, check=False)
    assert r.returncode != 0, r.out
    assert r.out.count("CMake Error") == 1, r.out
    return " ".join(r.out.split())  # CMake wraps messages


@pytest.mark.parametrize(("call", "expected"), [
    ("tinyml_add_model(m MODEL m.tflite TARGET cortex-m5)",
     "tinyml_add_model(m): unknown target 'cortex-m5' (hint: known targets: cortex-m0plus,"),
    ("tinyml_add_model(m MODEL nothere.tflite TARGET host)",
     "tinyml_add_model(m): MODEL file not found:"),
    ("tinyml_add_model(m MODEL m.tflite TARGET cortex-m4)",
     "tinyml_add_model(m): TARGET cortex-m4 needs a cross compiler (arm-none-eabi-gcc), but "
     "this build compiles for the host"),
    ("tinyml_add_model(m MODEL m.tflite TARGET host BACKEND cmsis-nn)",
     "back end 'cmsis-nn' is not available for target 'host'"),
    ("tinyml_add_model(m-1 MODEL m.tflite TARGET host)", "must be a C identifier"),
    ("tinyml_add_model(m MODEL m.tflite TARGET host OPTIONS bad.toml)",
     "OPTIONS file not found"),
    ("tinyml_add_model(m MODEL m.tflite)", "TARGET <target> is required"),
    ("tinyml_add_model(m MODEL m.tflite TARGET host COLOUR red)", "unexpected arguments"),
])
def test_configure_errors_are_one_clear_message(tmp_path: Path, call: str,
                                                expected: str) -> None:
    text = _configure_error(tmp_path, call, model=conv_fc_softmax(0))
    assert expected in text, text


def test_bad_options_file_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "o.toml").write_text("[sections]\narean = '.x'\n")
    text = _configure_error(tmp_path, "tinyml_add_model(m MODEL m.tflite TARGET host "
                            "OPTIONS o.toml)", model=conv_fc_softmax(0))
    assert "o.toml: unknown option 'sections.arean'" in text, text


def test_missing_cross_compiler_is_one_clear_message(tmp_path: Path) -> None:
    empty = tmp_path / "no-toolchain"
    empty.mkdir()
    text = _configure_error(
        tmp_path, "", f"-DCMAKE_TOOLCHAIN_FILE={TOOLCHAINS / 'mps2-an386.cmake'}",
        f"-DTINYML_TOOLCHAIN_PATH={empty}")
    assert (f"the cross compiler arm-none-eabi-gcc for target cortex-m4 was not found in "
            f"TINYML_TOOLCHAIN_PATH={empty}") in text, text


def test_interpreter_of_another_installation_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "python3"  # an interpreter whose tinyml_build is somewhere else
    fake = tmp_path / "fake"
    (fake / "tinyml_build").mkdir(parents=True)
    (fake / "tinyml_build" / "__init__.py").write_text("")
    (fake / "tinyml_build" / "buildinfo.py").write_text(
        "import sys\nprint('/elsewhere/cmake'); print('9.9.9'); print(sys.executable)\n")
    other.write_text(f"#!/bin/sh\nPYTHONPATH={fake} exec {sys.executable} -S \"$@\"\n")
    other.chmod(0o755)
    text = _configure_error(tmp_path, "", f"-DTINYML_BUILD_PYTHON={other}")
    assert "imports tinyml-build 9.9.9 whose CMake files are /elsewhere/cmake" in text, text


def test_generator_refuses_a_build_configured_by_another_installation(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tinyml_build.buildinfo", "generate", "--config-dir",
         str(tmp_path), "--kernel-list", str(tmp_path / "k.txt"), "--manifest",
         str(tmp_path / "m.json"), "--", "m.tflite"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.startswith("tinyml-build: error: ") and "re-run cmake" in proc.stderr


def test_find_package_checks_the_version(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.21)\nproject(p LANGUAGES C)\n"
        "find_package(TinyMLBuild 0.2 REQUIRED)\n")
    r = configure(src, tmp_path / "b", check=False)
    assert r.returncode != 0
    text = " ".join(r.out.split())
    assert "0.1.0" in text and "0.2" in text, text


def test_add_subdirectory_of_the_checkout(tmp_path: Path) -> None:
    models = [Model("m1", conv_fc_softmax(0))]
    src = tmp_path / "src"
    write_project(src, models)
    cml = (src / "CMakeLists.txt").read_text().replace(
        "find_package(TinyMLBuild 0.1 REQUIRED)",
        f'add_subdirectory("{REPO.as_posix()}" tinyml-build)')
    (src / "CMakeLists.txt").write_text(cml)
    r = run(["cmake", "-S", src, "-B", tmp_path / "b", "-G", "Ninja"])
    assert r.returncode == 0, r.out
    build(tmp_path / "b")
    check_against_tflm(tmp_path / "b", models)


def test_cmake_dir_holds_a_matching_config() -> None:
    folder = cmake_dir()
    assert (folder / "TinyMLBuildConfig.cmake").is_file()
    from tinyml_build import __version__

    version_file = (folder / "TinyMLBuildConfigVersion.cmake").read_text()
    assert f'set(PACKAGE_VERSION "{__version__}")' in version_file
    assert f"set(TinyMLBuild_VERSION {__version__})" in (
        folder / "TinyMLBuildConfig.cmake").read_text()
    assert (BIN / "tinyml-build").is_file()
