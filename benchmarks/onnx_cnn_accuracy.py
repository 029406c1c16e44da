"""How far the compiled CNN (tests/support/onnx_models.py) is from onnxruntime.

    python benchmarks/onnx_cnn_accuracy.py [--inputs 64]

For the float CNN and its quantize_static variants, compiles the model for the host, runs
it on held-out inputs and prints the largest difference of the model output from
onnxruntime with graph optimisations off (ORT_DISABLE_ALL, the reference `validate` and
the tests use) and on (ORT_ENABLE_ALL, which fuses QDQ into its own integer kernels), in
output LSB for quantised outputs, and the argmax agreement. uint8 QOperator is also
compared with onnx.reference.ReferenceEvaluator (the spec's implementation).
Deterministic; about a minute on one core.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import onnx

from tests.support.onnx_models import (
    build_cnn,
    cnn_inputs,
    ort_session,
    quantize_cnn,
)
from tinyml_build.compiler import CompileOptions, compile_model
from tinyml_build.hostbuild import build_host_program


def _spec_outputs(path: Path, xs: list[np.ndarray]) -> np.ndarray:
    from onnx.reference import ReferenceEvaluator

    model = onnx.load(path)
    for imp in model.opset_import:
        if imp.domain in ("", "ai.onnx"):
            imp.version = max(imp.version, 19)
    ev = ReferenceEvaluator(model)
    return np.stack([ev.run(None, {"x": x})[0] for x in xs])


def _output_step(path: Path) -> float:
    """Scale of the model's final DequantizeLinear (the output's quantisation step)."""
    model = onnx.load(path)
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    last = next(n for n in model.graph.node if n.output[0] == model.graph.output[0].name)
    return float(inits[last.input[1]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=64)
    args = parser.parse_args()
    xs = cnn_inputs(args.inputs, seed=2024)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        onnx.save(build_cnn(), d / "cnn.onnx")
        variants = {
            "float": d / "cnn.onnx",
            "qdq s8/s8 per-channel": quantize_cnn(d / "cnn.onnx", d / "a.onnx", "qdq"),
            "qdq u8/s8 per-channel": quantize_cnn(d / "cnn.onnx", d / "b.onnx", "qdq",
                                                  activation="uint8"),
            "qoperator s8/s8 (QLinearConv)": quantize_cnn(
                d / "cnn.onnx", d / "c.onnx", "qoperator", standard_ops_only=True),
            "qoperator u8/s8 (QLinearConv)": quantize_cnn(
                d / "cnn.onnx", d / "e.onnx", "qoperator", activation="uint8",
                standard_ops_only=True),
        }
        print(f"{'model':<32} {'vs ORT off':>12} {'vs ORT all':>12} {'vs onnx.ref':>12} "
              f"{'argmax':>8}")
        for i, (name, path) in enumerate(variants.items()):
            result = compile_model(path, CompileOptions(name=f"m{i}"))
            program = build_host_program(result, d / f"build{i}")
            ours = np.stack([o[0] for o in program.run([[x] for x in xs])[0]])
            off = np.stack([ort_session(path).run(None, {"x": x})[0] for x in xs])
            full = np.stack([ort_session(path, optimized=True).run(None, {"x": x})[0]
                             for x in xs])
            unit, suffix = (_output_step(path), " LSB") if name.startswith("qdq") else (1.0, "")
            spec = "-"
            if "u8" in name and "qoperator" in name:
                spec = f"{np.abs(ours - _spec_outputs(path, xs)).max():.2g}"
            agree = (ours.argmax(-1) == off.argmax(-1)).mean()
            print(f"{name:<32} {np.abs(ours - off).max() / unit:>10.3g}{suffix:<2} "
                  f"{np.abs(ours - full).max() / unit:>10.3g}{suffix:<2} {spec:>12} "
                  f"{agree:>8.0%}")
        print("(qdq rows: difference of the softmax output in units of its quantisation "
              "step; other rows: absolute difference of probabilities)")


if __name__ == "__main__":
    main()
