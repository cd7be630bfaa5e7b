"""Entry script of the frozen app: the ``gdviz`` command (gdviz.__main__:main) as a script."""

import sys

from gdviz.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
