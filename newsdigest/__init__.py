"""newsdigest: a static site generator for bilingual (Vietnamese and English) news digests."""

__version__ = "0.1.0"
