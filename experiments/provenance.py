"""Run provenance and atomic file writing, shared by every command that writes results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

KEY_LIBRARIES = ("bonding", "mesa", "numpy", "scipy", "pandas", "pyarrow", "SALib", "matplotlib", "dask")


def git_commit() -> str:
    """The repository's HEAD commit (with ``-dirty`` if there are local changes), or ``unknown``."""
    root = Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                             timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for lib in KEY_LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "not installed"
    return out


def environment() -> dict:
    return {"versions": versions(), "git_commit": git_commit(), "platform": platform.platform(),
            "argv": sys.argv}


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, json.dumps(obj, indent=2, sort_keys=False, default=str).encode())


def atomic_write_parquet(path: Path, df) -> None:
    """Parquet via a temporary file and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_savefig(fig, path: Path, **kw) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, format="png", **kw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_run_folder(out: Path, kind: str, noun: str, config: dict,
                     mismatch: Callable[[dict, dict], str | None]) -> dict:
    """Check, without writing, that ``out`` is new, empty, or holds this same run; return its
    manifest ({} for a new folder).

    Every resumable command (compare, validate, sensitivity, calibrate) writes a manifest whose
    ``kind`` names the command and whose ``config`` is the run's configuration. A folder with
    another kind, or files but no manifest, is refused; so is one whose ``config`` differs:
    ``mismatch(old, new)`` returns what the folder holds instead (e.g. "a different comparison
    (--seed was 1, now 2)"), or None. Each refusal is a one-line ``ParameterError``.
    """
    from model.params import ParameterError

    out = Path(out)
    manifest = out / "manifest.json"
    if manifest.exists():
        try:
            old = json.loads(manifest.read_text())
        except ValueError:
            old = None
        if not isinstance(old, dict) or old.get("kind") != kind or not isinstance(old.get("config"), dict):
            raise ParameterError(f"--out {out}: manifest.json is not a {noun} manifest; use another --out")
        held = mismatch(old["config"], config)
        if held:
            raise ParameterError(f"--out {out}: holds {held}; use another --out")
        return old
    if out.exists() and any(out.iterdir()):
        raise ParameterError(f"--out {out}: folder exists and is not a {noun} folder; use another --out")
    return {}
