"""Build the bilingual news digest: ``python build.py --help``."""

import sys

from newsdigest.cli import main

sys.exit(main())
