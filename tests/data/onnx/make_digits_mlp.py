"""Regenerate digits_mlp.onnx: a scikit-learn MLP trained on the digits set, via skl2onnx.

    pip install scikit-learn skl2onnx onnx
    python tests/data/onnx/make_digits_mlp.py

MLPClassifier(32 hidden, relu) on sklearn's bundled digits (8x8 images, 1797 samples,
offline), converted with skl2onnx at opset 17 without ZipMap. The label branch (ArgMax,
ai.onnx.ml ArrayFeatureExtractor, int64 output) is cut with onnx.utils.extract_model so
the model ends at the float32 `probabilities` output; the test data (64 held-out digits
and sklearn's probabilities for them) goes to digits_mlp_data.npz. Deterministic
(random_state fixed), a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnx.utils
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

HERE = Path(__file__).resolve().parent


def main() -> None:
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=400, random_state=0)
    clf.fit(x_train, y_train)
    model = to_onnx(clf, x_train[:1], target_opset=17, options={"zipmap": False})
    full = HERE / "digits_mlp_full.onnx"
    onnx.save(model, full)
    inputs = [i.name for i in model.graph.input]
    out = HERE / "digits_mlp.onnx"
    onnx.utils.extract_model(str(full), str(out), inputs, ["probabilities"])
    full.unlink()
    np.savez(HERE / "digits_mlp_data.npz", x=x_test[:64], y=y_test[:64],
             proba=clf.predict_proba(x_test[:64]).astype(np.float32))
    print(f"{out.name}: {out.stat().st_size} B, test accuracy {clf.score(x_test, y_test):.3f}")


if __name__ == "__main__":
    main()
