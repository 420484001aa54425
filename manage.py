#!/usr/bin/env python
"""Django's command-line utility; `jiliang <command>` is the same thing installed as a console script."""
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    from jiliang.cli import main

    main()
