"""The plugin contract: every hook is documented and tested (datasette's two meta-tests)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from tinyml_build import hookspecs
from tinyml_build.errors import PluginError
from tinyml_build.hookspecs import hookimpl
from tinyml_build.plugins import load_plugins
from tinyml_build.registration import Kernel, KernelCall, Target

DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"


def hook_names() -> list[str]:
    return [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if name.startswith("tinyml_")]


def test_every_hook_is_documented_with_its_arguments():
    docs = DOCS.read_text()
    for name in hook_names():
        params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert f"### `{name}({params})`" in docs, f"{name}({params}) missing from {DOCS}"


def test_every_hook_has_a_test():
    this = Path(__file__).read_text()
    tested = set(re.findall(r"def test_hook_(\w+)\(", this))
    missing = set(hook_names()) - tested
    assert not missing, f"hooks without a test_hook_<name>: {sorted(missing)}"


class _TargetPlugin:
    __name__ = "test_targets_plugin"

    @hookimpl
    def tinyml_targets(self):
        return [Target(name="test-mcu", description="a test target", arch="arm",
                       backends=("test-lib", "reference"))]


def test_hook_tinyml_targets():
    plugins = load_plugins(extra=(_TargetPlugin(),))
    targets = plugins.targets()
    assert "test-mcu" in targets
    assert targets["test-mcu"].plugin == "test_targets_plugin"
    assert "host" in targets  # the built-in reference plugin, loaded through its entry point
    assert targets["host"].plugin == "reference"


def _check_relu(op, graph):
    return None if graph.tensors[op.inputs[0]].dtype == "int8" else "int8 only"


def _emit_relu(op, graph, ctx):
    return KernelCall("test_relu", [ctx.buffer(op.inputs[0]), ctx.buffer(op.outputs[0])])


class _KernelPlugin:
    __name__ = "test_kernels_plugin"

    def __init__(self):
        self.seen: list[str] = []

    @hookimpl
    def tinyml_kernels(self, target):
        self.seen.append(target.name)
        return [Kernel(name="test.relu_s8", backend="test-lib", op="relu", check=_check_relu,
                       emit=_emit_relu)]


def test_hook_tinyml_kernels():
    plugin = _KernelPlugin()
    plugins = load_plugins(extra=(plugin,))
    host = plugins.target("host")
    kernels = {k.name: k for k in plugins.kernels(host)}
    assert plugin.seen == ["host"]
    assert kernels["test.relu_s8"].plugin == "test_kernels_plugin"
    assert kernels["test.relu_s8"].backend == "test-lib"
    assert any(k.startswith("reference.") for k in kernels)


def test_a_target_registered_twice_names_both_plugins():
    class Clash:
        __name__ = "clashing_plugin"

        @hookimpl
        def tinyml_targets(self):
            return [Target(name="host", description="another host", arch="host")]

    plugins = load_plugins(extra=(Clash(),))
    with pytest.raises(PluginError) as info:
        plugins.targets()
    message = str(info.value)
    assert "target 'host' is registered twice" in message
    assert "reference" in message and "clashing_plugin" in message


def test_a_kernel_registered_twice_names_both_plugins():
    class Clash:
        __name__ = "kernel_clash"

        @hookimpl
        def tinyml_kernels(self, target):
            return [Kernel(name="reference.conv2d_s8", backend="x", op="conv2d",
                           check=_check_relu, emit=_emit_relu)]

    plugins = load_plugins(extra=(Clash(),))
    with pytest.raises(PluginError, match=r"kernel .reference\.conv2d_s8. is registered twice"):
        plugins.kernels(plugins.target("host"))


def test_wrong_registration_type_is_reported():
    class Bad:
        __name__ = "bad_plugin"

        @hookimpl
        def tinyml_targets(self):
            return ["host"]

    with pytest.raises(PluginError, match=r"bad_plugin.*expected .*Target"):
        load_plugins(extra=(Bad(),)).targets()


def test_builtin_plugin_can_be_disabled(monkeypatch):
    monkeypatch.setenv("TINYML_BUILD_DISABLE_PLUGINS", "reference")
    plugins = load_plugins()
    assert "host" not in plugins.targets()


def test_reference_plugin_uses_only_the_public_contract():
    """Built-in plugins import nothing from tinyml_build but the documented public modules."""
    public = {"tinyml_build.hookspecs", "tinyml_build.registration", "tinyml_build.ir",
              "tinyml_build.quant", "tinyml_build.kernels"}
    plugin_dir = Path(__file__).resolve().parent.parent / "plugins"
    for path in plugin_dir.rglob("*.py"):
        for module in re.findall(r"^\s*(?:from|import)\s+(tinyml_build[\w.]*)", path.read_text(),
                                 re.M):
            assert module in public, f"{path} imports {module}, which is not public API"
