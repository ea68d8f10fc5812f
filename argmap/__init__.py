"""argmap: the Public AI debate as an RDF knowledge graph and argument map."""

__version__ = "0.1.0"
