"""``python -m newsdigest``: the ``newsdigest`` command, which does what ``python build.py`` does."""

from .cli import main_entry

if __name__ == "__main__":  # forked or spawned workers may import this module; only the command runs
    main_entry()
