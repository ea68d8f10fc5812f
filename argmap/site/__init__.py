"""The static website: build.py gathers and writes it; words.py holds what the reader sees (labels, styles,
page folders, search text); escape.py makes contributed text safe in scripts and links; console.py makes the
in-browser SPARQL console; output.py writes files without leaving the output folder."""
