"""Build the bilingual news digest: ``python build.py --help``."""

import sys

from newsdigest.cli import main

if __name__ == "__main__":  # worker processes may import this file; only the command runs main()
    sys.exit(main())
