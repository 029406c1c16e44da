"""Plugin manager: loads plugins from entry points, collects and checks their registrations.

Built-in plugins are ordinary entry points of this distribution, so they can be disabled
like any other: TINYML_BUILD_DISABLE_PLUGINS=name[,name...] skips those entry points.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from importlib import metadata
from types import ModuleType

import pluggy

from . import hookspecs
from .errors import PluginError, TinymlError
from .registration import Kernel, Target

DISABLE_ENV = "TINYML_BUILD_DISABLE_PLUGINS"


@dataclass(frozen=True)
class PluginInfo:
    name: str
    module: str
    distribution: str
    version: str

    def describe(self) -> str:
        dist = f"{self.distribution} {self.version}".strip()
        return f"plugin '{self.name}' ({dist or self.module})"


class Plugins:
    """The loaded plugins and what they registered."""

    def __init__(self, pm: pluggy.PluginManager, infos: dict[str, PluginInfo]) -> None:
        self.pm = pm
        self.infos = infos
        self._targets: dict[str, Target] | None = None

    def _info_for(self, plugin: object) -> PluginInfo:
        name = self.pm.get_name(plugin) or repr(plugin)
        return self.infos.get(name, PluginInfo(name, getattr(plugin, "__name__", name), "", ""))

    def targets(self) -> dict[str, Target]:
        if self._targets is None:
            found: dict[str, Target] = {}
            owner: dict[str, PluginInfo] = {}
            for impl in self.pm.hook.tinyml_targets.get_hookimpls():
                info = self._info_for(impl.plugin)
                for target in impl.function() or ():
                    if not isinstance(target, Target):
                        raise PluginError(
                            f"{info.describe()} returned {type(target).__name__} from "
                            "tinyml_targets; expected tinyml_build.registration.Target"
                        )
                    if target.name in found:
                        raise PluginError(
                            f"target '{target.name}' is registered twice: by "
                            f"{owner[target.name].describe()} and by {info.describe()}",
                            hint=f"disable one of them with {DISABLE_ENV}=<plugin>",
                        )
                    found[target.name] = replace(target, plugin=info.name)
                    owner[target.name] = info
            self._targets = dict(sorted(found.items()))
        return self._targets

    def target(self, name: str) -> Target:
        targets = self.targets()
        if name not in targets:
            known = ", ".join(targets) or "none"
            raise TinymlError(f"unknown target '{name}'", hint=f"known targets: {known}")
        return targets[name]

    def kernels(self, target: Target) -> list[Kernel]:
        found: dict[str, Kernel] = {}
        owner: dict[str, PluginInfo] = {}
        for impl in self.pm.hook.tinyml_kernels.get_hookimpls():
            info = self._info_for(impl.plugin)
            for kernel in impl.function(target=target) or ():
                if not isinstance(kernel, Kernel):
                    raise PluginError(
                        f"{info.describe()} returned {type(kernel).__name__} from "
                        "tinyml_kernels; expected tinyml_build.registration.Kernel"
                    )
                if kernel.name in found:
                    raise PluginError(
                        f"kernel '{kernel.name}' is registered twice: by "
                        f"{owner[kernel.name].describe()} and by {info.describe()}",
                        hint=f"disable one of them with {DISABLE_ENV}=<plugin>",
                    )
                found[kernel.name] = replace(kernel, plugin=info.name)
                owner[kernel.name] = info
        return [found[k] for k in sorted(found)]

    def list(self) -> list[PluginInfo]:
        return [self._info_for(p) for p in self.pm.get_plugins()]


def _disabled() -> set[str]:
    return {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}


def load_plugins(extra: tuple[ModuleType | object, ...] = ()) -> Plugins:
    """Load every entry point of the ``tinyml_build`` group, plus ``extra`` plugin objects."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    infos: dict[str, PluginInfo] = {}
    disabled = _disabled()
    for ep in sorted(metadata.entry_points(group=hookspecs.PROJECT), key=lambda e: e.name):
        if ep.name in disabled or pm.has_plugin(ep.name):
            continue
        try:
            module = ep.load()
        except Exception as exc:  # a broken third-party plugin must not hide which one it was
            raise PluginError(f"plugin '{ep.name}' ({ep.value}) failed to load: {exc}") from exc
        dist = ep.dist
        infos[ep.name] = PluginInfo(
            ep.name, ep.value, dist.name if dist else "", dist.version if dist else ""
        )
        pm.register(module, name=ep.name)
    for plugin in extra:
        name = getattr(plugin, "__name__", None) or repr(plugin)
        infos[name] = PluginInfo(name, name, "", "")
        pm.register(plugin, name=name)
    pm.check_pending()
    return Plugins(pm, infos)
