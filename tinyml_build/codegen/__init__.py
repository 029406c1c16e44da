"""C code generation: the model's header, call sequence, constant data and manifest."""

from .emit import GeneratedModel, generate

__all__ = ["GeneratedModel", "generate"]
