"""The reference plugin's kernels, one module per op family."""
