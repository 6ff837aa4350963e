"""Catalogue search: one Indonesian analyzer in Python, several engines behind one interface.

The catalogue app feeds it `SearchDocument`s; nothing here imports another app's models, so the
index can be rebuilt from any source and tested on its own. See docs/search.md.
"""
