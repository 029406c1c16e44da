"""Runs passes in order and checks the graph after each one (Vela's verify_graph_health).

The default pipeline serves both front ends; every pass leaves a graph it does not
recognise untouched (TFLite graphs have no NCHW transposes, batch norms or Q/DQ pairs).
Order matters:
  fold-constants-pre  fold weight transposes etc., keeping Q/DQ for the QDQ pass
  layout              sink and cancel the NCHW<->NHWC transposes
  views               transposes that keep memory order -> reshape; drop no-op reshapes
  fold-batchnorm      BN into the conv/gemm before it (the layout pass put them together)
  fold-bias           a constant per-channel Add after a conv/fully_connected -> its bias
  fuse-activations    Relu/Clip/LeakyRelu/HardSwish into float producers
  qdq                 dequantize -> float op -> quantize patterns -> int8 ops
  uint8-to-int8       uint8 quantised tensors -> int8 (value - 128) for the int8 kernels
  fold-constants      everything constant left (e.g. DequantizeLinear of float fallbacks)
  views, dead-code    tidy up
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..ir import Graph
from .check import check_graph
from .dce import eliminate_dead_code
from .fold_batchnorm import fold_batchnorm
from .fold_bias import fold_bias
from .fold_constants import fold_constants, fold_constants_keep_qdq
from .fuse_activation import fuse_activations
from .layout import optimize_layout
from .qdq import fuse_qdq
from .uint8 import uint8_to_int8
from .views import make_views

Pass = Callable[[Graph], Graph]

DEFAULT_PASSES: tuple[tuple[str, Pass], ...] = (
    ("fold-constants-pre", fold_constants_keep_qdq),
    ("layout", optimize_layout),
    ("views", make_views),
    ("fold-batchnorm", fold_batchnorm),
    ("fold-bias", fold_bias),
    ("fuse-activations", fuse_activations),
    ("qdq", fuse_qdq),
    ("uint8-to-int8", uint8_to_int8),
    ("fold-constants", fold_constants),
    ("views-final", make_views),
    ("dead-code", eliminate_dead_code),
)


def run_passes(
    graph: Graph,
    passes: Sequence[tuple[str, Pass]] = DEFAULT_PASSES,
    trace: Callable[[str, Graph], None] | None = None,
) -> Graph:
    check_graph(graph, after="front end")
    for name, rewrite in passes:
        graph = rewrite(graph)
        check_graph(graph, after=name)
        if trace is not None:
            trace(name, graph)
    return graph
