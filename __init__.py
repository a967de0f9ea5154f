"""dienhinh: exemplar articles from the Board's mailbox to a reviewed, published stream.

The repository's top-level folders (core/, ingest/, classifiers/, store/, review/,
publish/, worker/) are installed as sub-packages of this one import name.
"""

__version__ = "0.1.0"
