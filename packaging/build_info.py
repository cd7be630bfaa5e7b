"""What a build was made from and how big it is (shared by the build and tests/packaging)."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Everything that goes into the installers: the app, its resources, the packaging itself and the
# dependency pins. A build whose fingerprint matches the sources is fresh.
INPUTS = [
    "gdviz",
    "resources/datasets",
    "resources/lessons",
    "resources/icons",
    "packaging",
    "pyproject.toml",
    "scripts/build_installers.sh",
]


def source_fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for entry in INPUTS:
        base = root / entry
        files = [base] if base.is_file() else sorted(base.rglob("*"))
        for path in files:
            if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def bundle_size(bundle: Path) -> int:
    """Bytes the folder takes on disk: allocated blocks (or the apparent size where larger);
    hard links and symlinks are counted once / as links."""
    total, seen = 0, set()
    for path in [bundle, *bundle.rglob("*")]:
        st = path.lstat()
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        total += max(st.st_size, getattr(st, "st_blocks", 0) * 512)
    return total
