"""Errors that reach the user as one line; anything else is a bug and may show a traceback."""

from __future__ import annotations


class TinymlError(Exception):
    """A problem with the user's input or environment, reported as one line with a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message


class ModelError(TinymlError):
    """The model file is missing, corrupt or uses something we cannot compile."""


class UnsupportedOpError(ModelError):
    """An op, op version or op configuration that no kernel of the chosen target accepts."""


class PluginError(TinymlError):
    """A plugin misbehaved: name clashes, bad registration objects."""


class ToolchainError(TinymlError):
    """A compiler or emulator the command needs is missing or failed."""


class SizeReportError(TinymlError):
    """A link map, ELF, manifest, baseline or budget that `tinyml-build size` cannot use."""
