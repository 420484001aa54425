"""jiliang (计量): the information side of a province's metrology system."""

__version__ = "0.1.0"
