"""The plugin contract: every hook a target plugin can implement, documented in one place.

Plugins are found through the ``tinyml_build`` entry-point group; the built-in plugins in
``plugins/`` register exactly that way. A plugin module implements hooks with::

    from tinyml_build.hookspecs import hookimpl

    @hookimpl
    def tinyml_targets():
        return [Target(name="my-mcu", description="...", arch="arm")]

Hooks return typed registration objects from ``tinyml_build.registration``; the core checks
them and reports a name registered twice with both plugins' names. docs/plugins.md describes
each hook for plugin authors; a test keeps that page and this module in step.
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from .registration import Kernel, Target

PROJECT = "tinyml_build"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def tinyml_targets() -> Iterable[Target]:
    """Return the targets (CPUs) this plugin offers.

    Each Target names the CPU, its compiler flags, the kernel back ends usable on it
    (preferred first) and its memory regions. Target names are unique across plugins.
    """


@hookspec
def tinyml_kernels(target: Target) -> Iterable[Kernel]:
    """Return the kernels this plugin offers for ``target``.

    Called once per compile with the chosen target; return nothing for targets the plugin
    does not serve. Each Kernel names the IR op it implements, the back end it belongs to,
    a ``check`` that accepts or rejects an op configuration with a reason, an ``emit`` that
    turns the op into one C call, and the sources, include dirs and headers the call needs.
    Kernel names are unique across plugins. Lowering picks, per op, the highest-priority
    accepting kernel of the requested back end and falls back to the ``reference`` back end.
    """
