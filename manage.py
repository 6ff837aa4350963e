#!/usr/bin/env python
"""Same as the `katalog` console script, for those used to manage.py."""

from katalog.cli import main

if __name__ == "__main__":
    main()
