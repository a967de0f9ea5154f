"""dienhinh: exemplar articles from the Board's mailbox to a reviewed, published stream.

The repository's top-level folders (core/, store/, classifiers/, ingest/, learning/,
report/, publish/, notify/, review/, worker/) are installed as sub-packages of this one
import name (pyproject.toml's package-dir mapping); README's "Architecture" says which
may import which.
"""

__version__ = "0.1.0"
