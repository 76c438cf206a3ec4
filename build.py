"""Build the bilingual news digest: ``python build.py --help``."""

import sys

try:
    from newsdigest.cli import main
except KeyboardInterrupt:  # Ctrl-C while the modules load: nothing was started, nothing to say
    sys.exit(130)

if __name__ == "__main__":  # worker processes may import this file; only the command runs main()
    sys.exit(main())
