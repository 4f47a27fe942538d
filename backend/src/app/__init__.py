"""minor-illusion: a multi-user Todo API on a production async Python stack."""

__version__ = "0.1.0"
