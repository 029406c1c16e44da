"""The Cortex-M plugin: its targets, their compiler flags and memory, through the public hooks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tinyml_build_plugins import cortex_m

from tests.support.models import conv_fc_softmax
from tinyml_build.compiler import CompileOptions, compile_model
from tinyml_build.plugins import load_plugins

EXPECTED = {
    "cortex-m0plus": ("-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"),
    "cortex-m4": ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"),
    "cortex-m7": ("-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"),
    "cortex-m33": ("-mcpu=cortex-m33", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"),
    "cortex-m55": ("-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"),
}


def test_targets_are_registered_through_the_entry_point() -> None:
    plugins = load_plugins()
    targets = plugins.targets()
    for name, flags in EXPECTED.items():
        t = targets[name]
        assert t.plugin == "cortex_m"
        assert t.c_flags == flags
        assert t.toolchain_prefix == "arm-none-eabi-"
        assert t.arch == "arm" and t.backends == ("reference",)
        regions = {m.name: m for m in t.memory}
        assert regions["FLASH"].kind == "flash" and regions["RAM"].kind == "ram"
    m55 = {m.name: m for m in targets["cortex-m55"].memory}
    assert (m55["FLASH"].origin, m55["FLASH"].length) == (0, 512 * 1024)  # AN547 ITCM
    assert (m55["RAM"].origin, m55["RAM"].length) == (0x20000000, 512 * 1024)  # DTCM
    assert "mve" in targets["cortex-m55"].features


def test_disabling_the_plugin_removes_its_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINYML_BUILD_DISABLE_PLUGINS", "cortex_m")
    assert not set(EXPECTED) & set(load_plugins().targets())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_flags_select_a_real_multilib_and_compile_generated_code(tmp_path: Path,
                                                                 name: str) -> None:
    """arm-none-eabi-gcc accepts the flags, finds a libc for them, and compiles the model."""
    if shutil.which("arm-none-eabi-gcc") is None:
        pytest.skip("arm-none-eabi-gcc not installed (Debian: gcc-arm-none-eabi)")
    target = next(t for t in cortex_m.TARGETS if t.name == name)
    multilib = subprocess.run(["arm-none-eabi-gcc", *target.c_flags, "-print-multi-directory"],
                              capture_output=True, text=True, check=True).stdout.strip()
    assert multilib != "."  # "." is the Arm-mode default: the flags did not select Thumb
    model = tmp_path / "m.tflite"
    model.write_bytes(conv_fc_softmax(0))
    result = compile_model(model, CompileOptions(target=name, name="m"))
    assert result.target.name == name
    out = tmp_path / "gen"
    from tinyml_build.compiler import write_outputs

    write_outputs(result, out)
    m = result.manifest
    for src in [out / s for s in m["generated_sources"]] + [Path(s) for s in m["kernel_sources"]]:
        proc = subprocess.run(
            ["arm-none-eabi-gcc", *target.c_flags, "-std=c99", "-O2", "-Wall", "-Wextra",
             "-Werror", f"-I{out}", *[f"-I{d}" for d in m["include_dirs"] if d != "."],
             "-c", str(src), "-o", str(tmp_path / (src.name + ".o"))],
            capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
