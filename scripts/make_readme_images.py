"""Re-make the README's lesson pictures with ``gdviz render`` (no screen needed)::

    .venv/bin/python scripts/make_readme_images.py [--out-dir resources/screenshots]

Each picture is one ``gdviz render`` call, so what the README shows is what the command makes:
the Goldilocks trio, the batch-size comparison, the learning-rate sweep and the main window
during a mini-batch lesson.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# file name: arguments of `gdviz render` (each at a projector's 1280x720 unless a view's own)
PICTURES = {
    "trio.png": ["--lesson", "goldilocks-trio", "--view", "window"],
    "batch-size.png": ["--lesson", "batch-size", "--view", "window"],
    "sweep.png": ["--lesson", "learning-rate-just-right", "--view", "sweep", "--size",
                  "1000x500"],
    "main-window.png": ["--lesson", "mini-batch-sgd", "--view", "window", "--steps", "60"],
}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "resources" / "screenshots")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, render_args in PICTURES.items():
        out = args.out_dir / name
        command = [sys.executable, "-m", "gdviz", "render", *render_args, "--out", str(out)]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"{name}: {result.stderr.strip() or result.stdout.strip()}", file=sys.stderr)
            return result.returncode
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
