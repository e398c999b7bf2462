"""Run provenance, atomic file writing and the run-folder protocol shared by every command
that writes results (run, compare, study, power, validate, sensitivity, calibrate).

The protocol (:func:`check_run_folder`), checked before any work:

* the output path must be a folder that can be written (not a regular file, not under one,
  not read-only);
* a new or empty folder starts a run; a folder whose ``manifest.json`` has the same ``kind``
  and configuration, made by the same code version, resumes it; anything else is refused with
  one line (a folder of other files, another command's folder, another configuration, or
  another code version unless ``--allow-code-change``);
* on resume, temporary files left by a killed writer (``.NAME.*.tmp``) are removed.

Every file is written through a temporary file in the same folder and ``os.replace``, with the
permissions the umask gives (``0666 & ~umask``), and the manifest is the commit marker: a
command writes ``status = "running"`` before it replaces any data and ``"complete"`` last.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

KEY_LIBRARIES = ("bonding", "mesa", "numpy", "scipy", "pandas", "pyarrow", "SALib", "matplotlib", "dask")
PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # holds model/, experiments/, calibration/
SOURCE_PACKAGES = ("bonding", "model", "experiments", "calibration")
SOURCE_SUFFIXES = (".py", ".toml")
TEMP_SUFFIX = ".tmp"

_policy = {"allow_code_change": False}


def set_allow_code_change(allow: bool) -> None:
    """Process-wide policy (set by the command line from ``--allow-code-change``): may a run
    folder made by another code version be resumed?"""
    _policy["allow_code_change"] = bool(allow)


def git_commit(root: Path = PACKAGE_ROOT) -> str:
    """The commit of the package's own source tree (``-dirty`` if it has local changes).

    Only when ``root`` (the folder holding ``model/``, ``experiments/``, ``calibration/``) is
    the top of a git work tree that tracks this file; an installed copy inside some other
    repository (a virtualenv in a project folder) reports ``not a git checkout``.
    """
    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=5)

    try:
        top = git("rev-parse", "--show-toplevel")
        if top.returncode != 0 or Path(top.stdout.strip()).resolve() != Path(root).resolve():
            return "not a git checkout"
        here = Path(__file__).resolve().relative_to(Path(root).resolve()).as_posix()
        if git("ls-files", "--error-unmatch", here).returncode != 0:
            return "not a git checkout"
        sha = git("rev-parse", "HEAD").stdout.strip()
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
        return (sha + ("-dirty" if dirty else "")) if sha else "unknown"
    except (OSError, subprocess.SubprocessError, ValueError):
        return "unknown"


@lru_cache(maxsize=1)
def code_version(root: Path = PACKAGE_ROOT) -> str:
    """Hash of the package's source (every ``.py`` and ``.toml`` of model/, experiments/,
    calibration/): the code that computes results, whether installed or checked out."""
    h = hashlib.sha256()
    for pkg in SOURCE_PACKAGES:
        base = Path(root) / pkg
        files = sorted(p for p in base.rglob("*") if p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts)
        for p in files:
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for lib in KEY_LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "not installed"
    return out


def environment() -> dict:
    return {"versions": versions(), "code_version": code_version(), "git_commit": git_commit(),
            "platform": platform.platform(), "argv": sys.argv}


# ------------------------------------------------------------------ atomic writes
def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temporary(path: Path) -> tuple[int, str]:
    """A temporary file beside ``path`` (``.NAME.XXXX.tmp``) with the umask's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    os.fchmod(fd, 0o666 & ~current_umask())
    return fd, tmp


def _replace_with(path: Path, write: Callable[[int, str], None]) -> None:
    path = Path(path)
    fd, tmp = _temporary(path)
    try:
        write(fd, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    def write(fd, tmp):
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    _replace_with(path, write)


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, json.dumps(obj, indent=2, sort_keys=False, default=str).encode())


def atomic_write_parquet(path: Path, df, columns_of: tuple[str, str] | None = None) -> None:
    """Parquet via a temporary file and ``os.replace``.

    ``columns_of = (command, file)`` names the declared table (:mod:`bonding.experiments.columns`)
    whose units and meanings go into the file as field metadata (``unit``, ``meaning``), so the
    units travel with the data: ``pyarrow.parquet.read_schema(path).field("bond").metadata``.
    """
    def write(fd, tmp):
        os.close(fd)
        if columns_of is None:
            df.to_parquet(tmp, index=False)
            return
        import pyarrow.parquet as pq
        from bonding.experiments.columns import table, with_units

        pq.write_table(with_units(df, table(*columns_of)), tmp)

    _replace_with(path, write)


def atomic_savefig(fig, path: Path, **kw) -> None:
    def write(fd, tmp):
        os.close(fd)
        fig.savefig(tmp, format="png", **kw)

    _replace_with(path, write)


def readable_json(path: Path) -> dict | None:
    """The JSON object stored at ``path``, or None if it is missing, empty or damaged."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def readable_parquet(path: Path) -> bool:
    """True if ``path`` is a complete Parquet file (its footer reads), else False."""
    try:
        import pyarrow.parquet as pq

        pq.read_metadata(path)
        return True
    except Exception:  # noqa: BLE001 - any failure to read the footer means: not complete
        return False


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Delete the temporary files (``.NAME.XXXX.tmp``) a killed writer left under ``out``."""
    removed = []
    for p in Path(out).rglob(f".*{TEMP_SUFFIX}"):
        if p.is_file():
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


# ------------------------------------------------------------------ the run-folder protocol
def check_output_path(out: Path, flag: str = "--out") -> None:
    """Refuse, before any work, an output path that cannot become a writable folder: a regular
    file, a path under a file, or a folder (or nearest existing parent) that cannot be written."""
    from bonding.model.params import ParameterError

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"{flag} {out}: is a file (allowed: a new or empty folder, or this run's folder)")
    parent = out
    while not parent.exists():
        if parent.parent == parent:
            break
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise ParameterError(f"{flag} {out}: {parent} is a file, so no folder can be made under it")
    if not _writable(parent):
        raise ParameterError(f"{flag} {out}: {parent} is read-only (allowed: a folder you can write)")


def _writable(folder: Path) -> bool:
    """Whether files can be created in ``folder``: permissions, and read-only mounts (EROFS).
    Nothing is created to find out (a probe file would change the folder's time stamp)."""
    return os.access(folder, os.W_OK | os.X_OK)


def check_run_folder(out: Path, kind: str, noun: str, config: dict,
                     mismatch: Callable[[dict, dict], str | None],
                     allow_code_change: bool | None = None) -> dict:
    """Check, before any work, that ``out`` is new, empty, or holds this same run; return its
    manifest ({} for a new or empty folder).

    Every command that writes a run folder writes a manifest whose ``kind`` names the command
    and whose ``config`` is the run's configuration. Refused, each with a one-line
    ``ParameterError``: an output path that is a file, under a file or read-only; a folder with
    another kind or with files but no manifest; a manifest whose ``config`` differs
    (``mismatch(old, new)`` says what the folder holds instead, e.g. "a different comparison
    (--seed was 1, now 2)", or returns None); a manifest made by another code version, unless
    ``allow_code_change`` (default: the command line's ``--allow-code-change``).

    Nothing is written. When the folder is resumed, temporary files left by a killed writer
    are removed (they belong to this run and hold nothing finished).
    """
    from bonding.model.params import ParameterError

    out = Path(out)
    check_output_path(out)
    manifest = out / "manifest.json"
    if manifest.exists():
        old = readable_json(manifest)
        if old is None or old.get("kind") != kind or not isinstance(old.get("config"), dict):
            raise ParameterError(f"--out {out}: manifest.json is not a {noun} manifest; use another --out")
        held = mismatch(old["config"], config)
        if held:
            raise ParameterError(f"--out {out}: holds {held}; use another --out")
        allow = _policy["allow_code_change"] if allow_code_change is None else allow_code_change
        made_by, now = old.get("code_version"), code_version()
        if made_by != now and not allow:
            raise ParameterError(f"--out {out}: was made by code version {made_by or 'unknown'}, this is {now} "
                                 "(chunks of two versions would mix); use another --out or --allow-code-change")
        remove_stale_temporaries(out)
        return old
    if out.exists() and any(p.name != manifest.name for p in out.iterdir()):
        if all(p.name.endswith(TEMP_SUFFIX) and p.name.startswith(".") for p in out.iterdir()):
            remove_stale_temporaries(out)  # a run killed before its first manifest
            return {}
        raise ParameterError(f"--out {out}: folder exists and is not a {noun} folder; use another --out")
    return {}


def start_run_folder(out: Path, manifest: dict) -> None:
    """Create ``out`` and write its manifest with ``status = "running"`` (before any data file
    is replaced, so a killed run never leaves a manifest describing other data)."""
    atomic_write_json(Path(out) / "manifest.json", {**manifest, "status": "running", **environment()})


__all__ = ["atomic_write_bytes", "atomic_write_json", "atomic_write_parquet", "atomic_savefig",
           "check_output_path", "check_run_folder", "start_run_folder", "code_version", "environment",
           "git_commit", "readable_json", "readable_parquet", "remove_stale_temporaries",
           "set_allow_code_change", "versions"]
