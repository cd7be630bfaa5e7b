"""Entry script of the frozen app (PyInstaller needs a script; this is ``gdviz`` = gdviz.__main__:main)."""

import sys

from gdviz.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
