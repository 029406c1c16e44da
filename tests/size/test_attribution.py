"""Manifest loading and the rules that give symbols and objects to a model's parts."""

from __future__ import annotations

import json

import pytest

from tinyml_build.errors import SizeReportError
from tinyml_build.size.attribution import (
    Attribution,
    Attributor,
    ObjectInfo,
    load_manifest,
    object_matches_source,
)

from .synthetic import manifest_dict, write_manifest


@pytest.mark.parametrize(("obj", "source", "match"), [
    ("kws.o", "kws.c", True), ("kws.c.o", "kws.c", True), ("kws.c.obj", "kws.c", True),
    ("CMakeFiles/kws.dir/gen/kws.c.obj", "kws.c", True), ("kws.obj", "/abs/kws.c", True),
    ("kws_weights.o", "kws.c", False), ("kws.c", "kws.c", False), ("libkws.a", "kws.c", False),
    ("xkws.o", "kws.c", False),
])
def test_object_matches_source(obj, source, match):
    assert object_matches_source(obj, source) is match


def test_load_manifest(tmp_path):
    rules = load_manifest(write_manifest(tmp_path))
    assert rules.name == "m" and rules.arena_symbol == "m_arena" and rules.arena_bytes == 64
    assert rules.consts == {"m_c0": "weights", "m_c1": "tables"}
    assert {"m_invoke", "m_input", "m_output", "m_p0"} <= rules.code_symbols
    assert rules.kernel_sources == ["tml_fc.c"] and rules.op_functions == {"tml_fc_s8": "reference"}
    assert (rules.weights_bytes, rules.tables_bytes) == (64, 48)


def test_load_manifest_errors(tmp_path):
    p = tmp_path / "x.json"
    with pytest.raises(SizeReportError, match="cannot read the manifest"):
        load_manifest(p)
    p.write_text("[1, 2")
    with pytest.raises(SizeReportError, match="not valid JSON"):
        load_manifest(p)
    data = manifest_dict()
    del data["symbols"]["arena"]
    p.write_text(json.dumps(data))
    with pytest.raises(SizeReportError, match="missing or has a bad field"):
        load_manifest(p)


def test_attributor_rules(tmp_path):
    a = Attributor([load_manifest(write_manifest(tmp_path))])
    gen = ObjectInfo("libm.a", "m.c.obj", {"m_invoke", "m_arena"})
    kern = ObjectInfo("libm.a", "tml_fc.c.obj", {"tml_fc_s8"})
    other = ObjectInfo(None, "main.o", {"main"})
    assert a.object_owners(gen) == [Attribution("m", "code")]
    assert a.object_owners(kern) == [Attribution("m", "kernels", "reference")]
    assert a.object_owners(other) == []
    assert a.symbol_owners("m_arena", a.object_owners(gen)) == [Attribution("m", "arena")]
    assert a.symbol_owners("m_c0", []) == [Attribution("m", "weights")]
    assert a.symbol_owners("m_c1", []) == [Attribution("m", "tables")]
    assert a.symbol_owners("helper", a.object_owners(kern)) == [
        Attribution("m", "kernels", "reference")]
    # objects not recognised (LTO): exact generated names still count
    assert a.symbol_owners("m_invoke", []) == [Attribution("m", "code")]
    assert a.symbol_owners("tml_fc_s8", []) == [Attribution("m", "kernels", "reference")]
    assert a.symbol_owners("main", []) == []
    # a file that is only named like the generated source is not the model's
    assert a.object_owners(ObjectInfo(None, "m.o", {"unrelated"})) == []


def test_kernel_backend_comes_from_the_ops_it_defines(tmp_path):
    data = manifest_dict()
    data["kernel_sources"].append("/cmsis/arm_fc_s8.c")
    data["ops"].append({"function": "arm_fully_connected_s8", "backend": "cmsis-nn"})
    a = Attributor([load_manifest(write_manifest(tmp_path, data))])
    obj = ObjectInfo("libcmsis.a", "arm_fc_s8.o", {"arm_fully_connected_s8"})
    assert a.object_owners(obj) == [Attribution("m", "kernels", "cmsis-nn")]


def test_shared_kernels_and_duplicate_models(tmp_path):
    one = load_manifest(write_manifest(tmp_path, manifest_dict("a")))
    two = load_manifest(write_manifest(tmp_path, manifest_dict("b")))
    a = Attributor([one, two])
    owners = a.object_owners(ObjectInfo(None, "tml_fc.o", {"tml_fc_s8"}))
    assert [o.model for o in owners] == ["a", "b"]
    with pytest.raises(SizeReportError, match="two manifests describe a model named 'a'"):
        Attributor([one, one])
