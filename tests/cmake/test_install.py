"""The config package inside an installed wheel (not the checkout): cmake-dir finds it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.models import fc_relu

from .conftest import REPO, build, run, run_program, tflm_run
from .project import Model, write_project


@pytest.mark.slow
def test_wheel_ships_the_config_and_builds_a_project(tmp_path: Path) -> None:
    wheel_dir = tmp_path / "wheel"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheel_dir),
         str(REPO)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip()[-300:]}")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), *map(str, wheel_dir.glob("*.whl"))], check=True,
                   capture_output=True)
    # an interpreter whose tinyml_build is the installed wheel
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\nPYTHONPATH={site}{os.pathsep}$PYTHONPATH '
                      f'exec {sys.executable} "$@"\n')
    python.chmod(0o755)
    r = run([python, "-P", "-m", "tinyml_build", "cmake-dir"], cwd=tmp_path)
    assert r.returncode == 0, r.out
    config_dir = Path(r.out.strip())
    assert config_dir == site / "tinyml_build" / "cmake"
    assert (config_dir / "TinyMLBuildConfig.cmake").is_file()

    models = [Model("m2", fc_relu(0))]
    write_project(tmp_path / "src", models)
    r = run(["cmake", "-S", tmp_path / "src", "-B", tmp_path / "b", "-G", "Ninja",
             f"-DTinyMLBuild_DIR={config_dir}", f"-DTINYML_BUILD_PYTHON={python}"])
    assert r.returncode == 0, r.out
    build(tmp_path / "b")
    assert f"{site}/tinyml_build/kernels" in (tmp_path / "b" / "build.ninja").read_text()
    r = run_program(tmp_path / "b", tmp_path / "b" / "app", [])
    assert r.returncode == 0, r.out
    assert f"m2: output {' '.join(map(str, tflm_run(models[0].data, models[0].input())))}" \
        in r.out
