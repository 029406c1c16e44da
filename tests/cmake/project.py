"""Writes a small user project: find_package(TinyMLBuild) + tinyml_add_model() + a main.c.

main.c copies a fixed input into every model, runs them and prints each output as
'<name>: output v0 v1 ...'. On a cross build it uses the sample's board support (startup
code, linker script with the target's memory), so it runs in QEMU.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .conftest import SAMPLE, tflm_input_shape


@dataclass
class Model:
    name: str
    data: bytes
    args: list[str] = field(default_factory=list)  # extra tinyml_add_model() arguments
    seed: int = 7

    @property
    def file(self) -> str:
        return f"{self.name}.tflite"

    def input(self) -> np.ndarray:
        shape = tflm_input_shape(self.data)
        return np.random.RandomState(self.seed).randint(-128, 128, shape).astype(np.int8)


def _array(name: str, values: np.ndarray) -> str:
    body = ", ".join(str(int(v)) for v in values.reshape(-1))
    return f"static const int8_t {name}[{values.size}] = {{{body}}};\n"


def write_project(folder: Path, models: list[Model], target: str = "host",
                  write_models: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "cmake_minimum_required(VERSION 3.21)",
        "project(user_project LANGUAGES C ASM)",
        "find_package(TinyMLBuild 0.1 REQUIRED)",
        f'include("{(SAMPLE / "boards" / "board.cmake").as_posix()}")',
    ]
    for m in models:
        lines.append(f"tinyml_add_model({m.name} MODEL {m.file} TARGET {target} "
                     + " ".join(m.args) + ")")
        if write_models:
            (folder / m.file).write_bytes(m.data)
    lines += [
        "add_executable(app main.c)",
        "target_link_libraries(app PRIVATE " + " ".join(m.name for m in models) + ")",
        "sample_board_executable(app)",
    ]
    (folder / "CMakeLists.txt").write_text("\n".join(lines) + "\n")

    header = ["#include <stdint.h>"]
    for m in models:
        header.append(_array(f"{m.name}_test_input", m.input()))
    (folder / "inputs.h").write_text("\n".join(header))

    main = ["#include <stdio.h>", "#include <string.h>", '#include "inputs.h"']
    main += [f'#include "{m.name}.h"' for m in models]
    main += [
        "static void print(const char *name, const void *data, size_t n)",
        "{",
        "    const int8_t *d = (const int8_t *)data;",
        "    size_t i;",
        '    printf("%s: output", name);',
        "    for (i = 0; i < n; ++i) {",
        '        printf(" %d", (int)d[i]);',
        "    }",
        '    printf("\\n");',
        "}",
        "",
        "int main(void)",
        "{",
    ]
    for m in models:
        main += [
            f"    memcpy({m.name}_input(0), {m.name}_test_input, sizeof {m.name}_test_input);",
            f"    if ({m.name}_invoke() != 0) {{",
            "        return 2;",
            "    }",
            f'    print("{m.name}", {m.name}_output(0), {m.name}_output_size(0));',
        ]
    main += ["    return 0;", "}", ""]
    (folder / "main.c").write_text("\n".join(main))
