"""Build hook: compiles reader._access_log_speedups (src/reader/_access_log_speedups.c) into the wheel where it
can, and leaves the wheel pure Python where it cannot.

The module is optional: reader.access_log does the same work in Python without it (a few per cent of a cached
answer's CPU time slower, docs/performance.md). So a machine without a C compiler or Python's headers still
installs reader: the build says why it went without, on standard error (`pip install -v` shows it), and the
wheel is tagged for any platform. With it, the wheel is tagged for this interpreter and platform.

setuptools drives the compiler (a build requirement in pyproject.toml): it knows each platform's flags.
"""

from __future__ import annotations

import shutil
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
        inplace = version == "editable"
        if inplace:
            # A module built in place before must not outlive a build that fails now: it would be used, stale.
            for stale in (root / "src" / "reader").glob("_access_log_speedups.*.so"):
                stale.unlink()
        self._temp = tempfile.mkdtemp(prefix="reader-build-")
        try:
            built = _compile(root, inplace=inplace, temp=Path(self._temp))
        except Exception as exc:  # no compiler, no headers, a compiler error: reader runs its Python code
            print(f"reader: {NAME} not built ({type(exc).__name__}: {exc}); the access log runs its Python code",
                  file=sys.stderr)  # fmt: skip
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # an editable install finds the module built in place, in src/reader
            build_data["force_include"][str(built)] = "reader/" + built.name

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """The compiler's work directory goes once the wheel holds what was built in it."""
        temp = getattr(self, "_temp", None)
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def _compile(root: Path, *, inplace: bool, temp: Path) -> Path:
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    extension = Extension(NAME, [str(root / SOURCE)], extra_compile_args=["-Wall", "-Wextra"])
    distribution = Distribution({"name": "reader", "ext_modules": [extension], "script_name": "hatch_build.py"})
    distribution.package_dir = {"": "src"}
    command = build_ext(distribution)
    command.build_temp = str(temp)
    command.build_lib = str(root / "src") if inplace else str(temp)
    command.inplace = False
    command.ensure_finalized()
    command.run()
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    built = Path(command.build_lib) / "reader" / f"_access_log_speedups{suffix}"
    if not built.is_file():
        raise FileNotFoundError(built)
    return built
