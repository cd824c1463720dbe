"""Build hook: compiles reader._access_log_speedups (src/reader/_access_log_speedups.c) into the wheel where it
can, and leaves the wheel pure Python where it cannot.

The module is optional: reader.access_log does the same work in Python without it (a few per cent of a cached
answer's CPU time slower, docs/performance.md). So a machine without a C compiler or Python's headers still
installs reader: the build says why it went without, on standard error (`pip install -v` shows it), and the
wheel is tagged for any platform. With it, the wheel is tagged for this interpreter and platform.

setuptools drives the compiler (a build requirement in pyproject.toml): it knows each platform's flags.
"""

from __future__ import annotations

import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

NAME = "reader._access_log_speedups"
SOURCE = "src/reader/_access_log_speedups.c"


class SpeedupsBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        try:
            built = _compile(root, inplace=version == "editable", build_dir=Path(self.directory))
        except Exception as exc:  # no compiler, no headers, a compiler error: reader runs its Python code
            print(f"reader: {NAME} not built ({type(exc).__name__}: {exc}); the access log runs its Python code",
                  file=sys.stderr)  # fmt: skip
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # an editable install finds the module built in place, in src/reader
            build_data["force_include"][str(built)] = "reader/" + built.name


def _compile(root: Path, *, inplace: bool, build_dir: Path) -> Path:
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    extension = Extension(NAME, [SOURCE], extra_compile_args=["-Wall", "-Wextra"])
    distribution = Distribution({"name": "reader", "ext_modules": [extension], "script_name": "hatch_build.py"})
    distribution.package_dir = {"": "src"}
    command = build_ext(distribution)
    temp = tempfile.mkdtemp(prefix="reader-build-", dir=build_dir if build_dir.is_dir() else None)
    command.build_temp = temp
    command.build_lib = str(root / "src") if inplace else temp
    command.inplace = False
    command.ensure_finalized()
    command.run()
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    built = Path(command.build_lib) / "reader" / f"_access_log_speedups{suffix}"
    if not built.is_file():
        raise FileNotFoundError(built)
    return built
