"""Built-in target plugins of tinyml-build, each registered through an entry point."""
