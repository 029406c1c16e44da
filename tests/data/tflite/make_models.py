"""Regenerate the small real int8 TFLite models in this folder (not run by the tests).

Needs TensorFlow, which the project does not depend on: run it in a throwaway venv,

    python3 -m venv /tmp/tf && /tmp/tf/bin/pip install tensorflow-cpu \
        "tflite-micro==0.dev20261023182759"
    /tmp/tf/bin/python tests/data/tflite/make_models.py

It builds a few Keras models that together use every op the reference kernels cover,
converts them with full int8 quantisation (random representative data, as TFLite's own
converter tests do), and writes <name>.tflite plus <name>.npz: RUNS full-range random
inputs and what the TFLM interpreter (the bit-exact reference) outputs for them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

HERE = Path(__file__).resolve().parent
RUNS = 8
SEED = 20261023


def bias_init() -> keras.initializers.Initializer:
    # Keras' zero biases would give a model without int32 bias tensors
    return keras.initializers.RandomNormal(stddev=0.2)


def conv(filters, kernel, **kw) -> layers.Layer:
    return layers.Conv2D(filters, kernel, bias_initializer=bias_init(), **kw)


def dense(units, **kw) -> layers.Layer:
    return layers.Dense(units, bias_initializer=bias_init(), **kw)


def cnn() -> keras.Model:
    """A MobileNetV3-like image classifier: conv/depthwise/pool/relu6/hard_swish,
    a squeeze-and-excite gate (MEAN, LOGISTIC, broadcast MUL), MEAN, softmax."""
    x = inp = keras.Input((24, 24, 3), batch_size=1)
    x = conv(8, 3, strides=2, padding="same", activation="relu6")(x)
    x = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2,
                               bias_initializer=bias_init())(x)
    x = layers.Activation("hard_swish")(x)
    se = layers.GlobalAveragePooling2D(keepdims=True)(x)
    se = conv(4, 1, activation="relu")(se)
    se = conv(16, 1, activation="sigmoid")(se)
    x = layers.Multiply()([x, se])
    x = conv(16, 3, padding="valid", dilation_rate=2)(x)
    x = layers.Activation("hard_swish")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.DepthwiseConv2D(3, strides=2, padding="same", activation="relu6",
                               bias_initializer=bias_init())(x)
    x = layers.AveragePooling2D(2, padding="same")(x)
    x = conv(24, 1)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = dense(10)(x)
    x = layers.Softmax()(x)
    return keras.Model(inp, x, name="cnn")


def mlp() -> keras.Model:
    """Dense layers with tanh, sigmoid, leaky ReLU, standalone RELU6 and RELU."""
    x = inp = keras.Input((20,), batch_size=1)
    x = dense(32, activation="tanh")(x)
    x = dense(24, activation="sigmoid")(x)
    x = dense(16)(x)
    x = layers.LeakyReLU(negative_slope=0.15)(x)
    x = layers.ReLU(max_value=6.0)(x)
    x = dense(12)(x)
    x = layers.LeakyReLU(negative_slope=0.3)(x)
    x = layers.ReLU()(x)
    x = dense(4)(x)
    return keras.Model(inp, x, name="mlp")


def data_ops() -> keras.Model:
    """Two inputs through concat/pad/strided slice/transpose/mul/sub/add/mean/reshape."""
    a = keras.Input((6, 8, 4), batch_size=1, name="a")
    b = keras.Input((6, 8, 4), batch_size=1, name="b")
    x = layers.Concatenate(axis=-1)([a, b])                       # 1x6x8x8
    x = layers.ZeroPadding2D(((1, 2), (0, 1)))(x)                 # 1x9x9x8
    s1 = conv(5, 1)(x)                                            # 1x9x9x5
    s1 = layers.Lambda(lambda t: t[:, 1:8:2, ::-1, :])(s1)        # 1x4x9x5
    s2 = layers.Lambda(lambda t: t[:, ::-2, 3:, :5])(x)           # 1x5x6x5
    s2 = layers.Permute((2, 1, 3))(s2)                            # 1x6x5x5
    s2 = layers.Lambda(lambda t: t[:, 1:5, :, :])(s2)             # 1x4x5x5
    s2 = layers.Lambda(lambda t: tf.pad(t, [[0, 0], [0, 0], [2, 2], [0, 0]],
                                        constant_values=0.75))(s2)  # 1x4x9x5
    # the 1x1 convolutions keep the converter from leaving MUL/SUB (or a convolution)
    # in float behind DEQUANTIZE, which it does for some weights of other layouts
    s2 = conv(5, 1)(s2)
    m = layers.Multiply()([s1, s2])
    d = layers.Subtract()([s1, s2])
    y = layers.Add()([m, d])
    y = layers.ReLU()(y)
    y = conv(6, 1)(y)
    y = layers.Permute((3, 1, 2))(y)                              # 1x6x4x9
    mean = layers.Lambda(lambda t: tf.reduce_mean(t, axis=[1, 3], keepdims=False))(y)
    r = layers.Reshape((2, 18))(y[:, :1])                         # 1x2x18
    r = layers.Lambda(lambda t: tf.reduce_mean(t, axis=-1, keepdims=True))(r)
    return keras.Model([a, b], [mean, r], name="data_ops")


def float_io() -> keras.Model:
    """Converted without int8 I/O: QUANTIZE in front, DEQUANTIZE behind."""
    x = inp = keras.Input((12, 12, 2), batch_size=1)
    x = conv(6, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.DepthwiseConv2D(3, padding="valid", bias_initializer=bias_init())(x)
    x = layers.Activation("tanh")(x)
    x = layers.Flatten()(x)
    x = dense(5, activation="softmax")(x)
    return keras.Model(inp, x, name="float_io")


def residual() -> keras.Model:
    """A ResNet-style block: explicit padding, strided VALID conv, residual ADD, a
    concatenation of differently quantised branches (the converter requantises one with
    an int8 QUANTIZE), a logistic gate, spatial MEANs with keep_dims."""
    x = inp = keras.Input((16, 16, 4), batch_size=1)
    x = layers.ZeroPadding2D(1)(x)
    x = conv(8, 3, strides=2, padding="valid", activation="relu")(x)     # 8x8x8
    r = conv(8, 3, padding="same", activation="relu")(x)
    r = conv(8, 3, padding="same")(r)
    x = layers.ReLU()(layers.Add()([x, r]))
    x = layers.Concatenate()([x, conv(4, 1, activation="tanh")(x)])     # 8x8x12
    g = layers.Lambda(lambda t: tf.reduce_mean(t, axis=[1, 2], keepdims=True))(x)
    g = layers.Activation("sigmoid")(g)
    x = layers.Multiply()([x, g])
    x = layers.Lambda(lambda t: tf.reduce_mean(t, axis=[1, 2], keepdims=True))(x)
    x = layers.Reshape((12,))(x)
    x = dense(3)(x)
    return keras.Model(inp, x, name="residual")


MODELS = {"cnn": (cnn, True), "mlp": (mlp, True), "data_ops": (data_ops, True),
          "float_io": (float_io, False), "residual": (residual, True)}


def convert(model: keras.Model, int8_io: bool, rng: np.random.RandomState) -> bytes:
    shapes = [tuple(t.shape) for t in model.inputs]

    def representative():
        for _ in range(64):
            yield [rng.uniform(-1.0, 1.0, s).astype(np.float32) for s in shapes]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if int8_io:
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()


def expected_outputs(data: bytes, rng: np.random.RandomState) -> dict[str, np.ndarray]:
    from tflite_micro import runtime

    details = tf.lite.Interpreter(model_content=data)
    inputs_spec = [(d["shape"], d["dtype"]) for d in details.get_input_details()]
    n_out = len(details.get_output_details())
    interp = runtime.Interpreter.from_bytes(data, arena_size=1 << 22)
    arrays: dict[str, list[np.ndarray]] = {}
    for _ in range(RUNS):
        inputs = []
        for shape, dtype in inputs_spec:
            if dtype == np.float32:
                inputs.append(rng.uniform(-1.0, 1.0, shape).astype(np.float32))
            else:
                info = np.iinfo(dtype)
                inputs.append(rng.randint(info.min, info.max + 1, shape).astype(dtype))
        for i, arr in enumerate(inputs):
            interp.set_input(arr, i)
            arrays.setdefault(f"input_{i}", []).append(arr)
        interp.invoke()
        for i in range(n_out):
            arrays.setdefault(f"output_{i}", []).append(np.array(interp.get_output(i)))
    return {k: np.stack(v) for k, v in arrays.items()}


def main() -> int:
    names = sys.argv[1:] or list(MODELS)
    for name in names:
        build, int8_io = MODELS[name]
        keras.utils.set_random_seed(SEED)
        rng = np.random.RandomState(SEED)
        data = convert(build(), int8_io, rng)
        (HERE / f"{name}.tflite").write_bytes(data)
        np.savez(HERE / f"{name}.npz", **expected_outputs(data, rng))
        print(f"{name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
