"""The static website: build.py renders it; console.py adds the in-browser SPARQL console."""
