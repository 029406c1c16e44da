"""Write the sample's fixed inputs and TFLM's outputs for them as C headers.

Run once when a sample model or its input changes, and commit the headers: the firmware
then checks its own output without any reference runtime on the device or in the build.

    python samples/bare_metal/data/make_test_data.py        # needs pip tflite-micro

The input of each model is numpy.random.RandomState(0).randint(-128, 128, shape) as int8,
the same input the TFLM Cortex-M4 baseline measurements used. The expected output comes
from the TFLM Python interpreter (reference kernels). tests/cmake checks that the committed
headers still equal a fresh TFLM run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
MODELS = HERE.parent.parent / "models"

#: C prefix -> model file in samples/models
SAMPLE_MODELS = {
    "kws": "kws_ds_cnn_int8.tflite",
    "ad": "ad_autoencoder_int8.tflite",
}
SEED = 0


def fixed_input(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.RandomState(SEED).randint(-128, 128, shape).astype(np.int8)


def tflm_output(model: Path, x: np.ndarray) -> np.ndarray:
    from tflite_micro import runtime

    interp = runtime.Interpreter.from_bytes(model.read_bytes())
    interp.set_input(x, 0)
    interp.invoke()
    return np.array(interp.get_output(0), dtype=np.int8)


def input_shape(model: Path) -> tuple[int, ...]:
    from tflite_micro import runtime

    interp = runtime.Interpreter.from_bytes(model.read_bytes())
    return tuple(int(d) for d in interp.get_input_details(0)["shape"])


def _array(name: str, values: np.ndarray) -> str:
    flat = [str(int(v)) for v in values.reshape(-1)]
    rows = [", ".join(flat[i:i + 16]) for i in range(0, len(flat), 16)]
    body = ",\n    ".join(rows)
    return f"static const int8_t {name}[{len(flat)}] = {{\n    {body}\n}};\n"


def header_text(prefix: str, model_file: str, x: np.ndarray, y: np.ndarray) -> str:
    guard = f"{prefix.upper()}_TEST_DATA_H"
    return (
        "/*\n"
        f" * {prefix}_test_data.h: fixed input of {model_file} and the output TFLM computes\n"
        " * for it (reference kernels). Written by make_test_data.py; do not edit.\n"
        f" * input: numpy.random.RandomState({SEED}).randint(-128, 128, {list(x.shape)}) int8\n"
        " *\n"
        " * SPDX-License-Identifier: Apache-2.0\n"
        " */\n"
        f"#ifndef {guard}\n#define {guard}\n\n#include <stdint.h>\n\n"
        + _array(f"{prefix}_test_input", x) + "\n"
        + _array(f"{prefix}_expected_output", y) + "\n"
        + f"#endif /* {guard} */\n"
    )


def expected_headers() -> dict[Path, str]:
    out = {}
    for prefix, file in SAMPLE_MODELS.items():
        model = MODELS / file
        x = fixed_input(input_shape(model))
        out[HERE / f"{prefix}_test_data.h"] = header_text(prefix, file, x, tflm_output(model, x))
    return out


def main() -> int:
    for path, text in expected_headers().items():
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
