"""Graph rewrites, one module per pass, run by pipeline.run_passes with a check after each."""

from .pipeline import DEFAULT_PASSES, run_passes

__all__ = ["DEFAULT_PASSES", "run_passes"]
