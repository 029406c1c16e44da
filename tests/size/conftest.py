"""Session fixtures: the KWS model compiled once, and firmware built once per toolchain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.tflite_builder import ModelBuilder

from .firmware import (
    ARM_TOOLS,
    RV_TOOLS,
    Firmware,
    build_cortex_m4,
    build_rv32imac,
    compile_model,
    require_tools,
)


@pytest.fixture(scope="session")
def kws_host(mlperf_models, tmp_path_factory) -> Path:
    """KWS compiled with --target host (portable C); the manifest path."""
    out = tmp_path_factory.mktemp("kws_host") / "gen"
    return compile_model(mlperf_models["kws"], out, "kws", "host")


@pytest.fixture(scope="session")
def m4_kws(kws_host, tmp_path_factory) -> Firmware:
    require_tools(*ARM_TOOLS)
    return build_cortex_m4(kws_host, tmp_path_factory.mktemp("m4_kws"))


@pytest.fixture(scope="session")
def rv32_kws(mlperf_models, tmp_path_factory) -> Firmware:
    require_tools(*RV_TOOLS)
    out = tmp_path_factory.mktemp("kws_rv32") / "gen"
    manifest = compile_model(mlperf_models["kws"], out, "kws", "rv32imac")
    return build_rv32imac(manifest, tmp_path_factory.mktemp("rv32_kws"))


def fc_model(path: Path, units: int) -> Path:
    """A one-layer int8 model: 64 inputs -> `units` outputs, no bias (weights 64*units B)."""
    b = ModelBuilder()
    x = b.tensor("x", [1, 64], "int8", scale=0.05, zero_point=-3)
    w = b.const("w", np.random.default_rng(units).integers(-127, 128, (units, 64)), "int8",
                scale=0.01, zero_point=0)
    y = b.tensor("y", [1, units], "int8", scale=0.2, zero_point=5)
    b.op("FULLY_CONNECTED", [x, w], [y], {"FusedActivationFunction": 0})
    path.write_bytes(b.build([x], [y]))
    return path


@pytest.fixture(scope="session")
def m4_fc_pair(tmp_path_factory) -> tuple[Firmware, Firmware]:
    """Two builds of one app with model 'net': 32 outputs, then 160 (+8,192 B of weights)."""
    require_tools(*ARM_TOOLS)
    builds = []
    for units in (32, 160):
        root = tmp_path_factory.mktemp(f"fc{units}")
        manifest = compile_model(fc_model(root / "net.tflite", units), root / "gen", "net",
                                 "host")
        builds.append(build_cortex_m4(manifest, root / "fw"))
    return builds[0], builds[1]
