"""buildinfo: what build systems learn at configure time, and the build-time generate step."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.models import conv_fc_softmax
from tinyml_build import __version__, buildinfo
from tinyml_build.compiler import CompileOptions, compile_model
from tinyml_build.kernels import KERNEL_DIR
from tinyml_build.plugins import load_plugins

REPO = Path(__file__).resolve().parent.parent


def test_cmake_dir_is_the_checkout_or_the_package_data() -> None:
    folder = buildinfo.cmake_dir()
    assert (folder / "TinyMLBuildConfig.cmake").is_file()
    assert folder in (buildinfo.PACKAGE_DIR / "cmake", buildinfo.PACKAGE_DIR.parent / "cmake")


def test_generated_files_are_what_compile_writes(tmp_path: Path) -> None:
    model = tmp_path / "m.tflite"
    model.write_bytes(conv_fc_softmax(0))
    result = compile_model(model, CompileOptions(target="host", name="net"))
    files = buildinfo.generated_files("net")
    assert sorted(result.files) == sorted(f for role in files.values() for f in role)
    assert result.manifest["generated_sources"] == files["sources"]


def test_kernel_libraries_hold_every_kernel_source_once() -> None:
    plugins = load_plugins()
    target = plugins.target("cortex-m4")
    libs = buildinfo.kernel_libraries(plugins, target)
    assert [lib.backend for lib in libs] == ["reference"]
    sources = libs[0].sources
    assert len(sources) == len(set(sources))
    expected = {Path(s).resolve() for k in plugins.kernels(target) for s in k.sources}
    assert set(sources) == expected
    assert KERNEL_DIR in libs[0].include_dirs


def test_generator_files_cover_core_and_plugins() -> None:
    files = buildinfo.generator_files(load_plugins())
    assert buildinfo.PACKAGE_DIR / "compiler.py" in files
    names = {f.as_posix() for f in files}
    assert any(n.endswith("plugins/reference/ops/conv.py") for n in names)
    assert any(n.endswith("plugins/cortex_m/__init__.py") for n in names)
    assert all(f.suffix == ".py" and "__pycache__" not in f.parts for f in files)


def test_cmake_script_is_valid_cmake(tmp_path: Path) -> None:
    """The set() commands survive CMake's parser: run them with `cmake -P` and print back."""
    if shutil.which("cmake") is None:
        pytest.skip("cmake not installed")
    text = buildinfo.cmake_script("cortex-m55", None, None, "kws")
    script = tmp_path / "q.cmake"
    script.write_text(text + "\n".join(
        f'message(STATUS "{v}=${{{v}}}")' for v in
        ("TINYML_Q_VERSION", "TINYML_Q_TARGET", "TINYML_Q_C_FLAGS", "TINYML_Q_BACKEND",
         "TINYML_Q_LINK_BACKENDS", "TINYML_Q_GENERATED_SOURCES", "TINYML_Q_MEMORY")) + "\n")
    out = subprocess.run(["cmake", "-P", str(script)], capture_output=True, text=True,
                         check=True).stdout
    assert f"TINYML_Q_VERSION={__version__}" in out
    assert "TINYML_Q_TARGET=cortex-m55" in out
    assert "TINYML_Q_C_FLAGS=-mcpu=cortex-m55;-mthumb;-mfloat-abi=hard" in out
    assert "TINYML_Q_LINK_BACKENDS=reference" in out
    assert "TINYML_Q_GENERATED_SOURCES=kws.c;kws_weights.c" in out
    assert "TINYML_Q_MEMORY=FLASH:flash:0x0:0x80000;RAM:ram:0x20000000:0x80000" in out


def test_cmake_values_are_escaped() -> None:
    assert buildinfo._cmake_set("V", 'a "b" $c \\d') == 'set(V "a \\"b\\" \\$c \\\\d")'
    with pytest.raises(Exception, match="';'"):
        buildinfo._cmake_set("V", ["a;b"])


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-P", "-m", "tinyml_build.buildinfo", *args],
                          capture_output=True, text=True)


def test_locate_prints_folder_version_interpreter() -> None:
    proc = run_module("locate")
    assert proc.returncode == 0
    folder, version, python = proc.stdout.splitlines()
    assert Path(folder) == buildinfo.cmake_dir() and version == __version__
    assert Path(python).name.startswith("python")


def test_unknown_target_is_one_line() -> None:
    proc = run_module("cmake", "--target", "cortex-m5")
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("tinyml-build: error: unknown target 'cortex-m5'")


def test_generate_compiles_and_checks_the_kernels(tmp_path: Path) -> None:
    model = tmp_path / "m.tflite"
    model.write_bytes(conv_fc_softmax(0))
    out = tmp_path / "out"
    kernels = tmp_path / "kernels.txt"
    args = ["generate", "--config-dir", str(buildinfo.cmake_dir()), "--kernel-list",
            str(kernels), "--manifest", str(out / "m.json"), "--", str(model), "--target",
            "host", "--name", "m", "--out", str(out)]
    all_sources = buildinfo.kernel_libraries(load_plugins(), load_plugins().target("host"))
    kernels.write_text("\n".join(s.as_posix() for s in all_sources[0].sources) + "\n")
    proc = run_module(*args)
    assert proc.returncode == 0, proc.stderr
    assert (out / "m.c").is_file() and (out / "m.json").is_file()

    # a kernel library configured without the conv kernel: the plugins changed since
    kernels.write_text("\n".join(s.as_posix() for s in all_sources[0].sources
                                 if "conv" not in s.name) + "\n")
    proc = run_module(*args)
    assert proc.returncode == 1
    assert "tml_conv.c, which is not in the kernel library" in proc.stderr
    assert "re-run cmake" in proc.stderr
    assert not (out / "m.c").exists()  # nothing stale is left for the build to use
