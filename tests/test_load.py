"""The loader's own promises: what a loaded file keeps, and the statements `--changed-since` compares.

- `load_valid` (build, serve, push) hands back the store and the paths; the files' texts are released.
- `changed_statements`: for seeded edits of the shipped Turtle, every triple added or removed (the whole files
  parsed and compared) is a triple of the statements it returns, before or after; it declines (None) where lines
  cannot be read one by one.
- `_key_piece`: every spelling of a source identifier holds the piece the incremental duplicate check looks for.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from argmap.errors import DataError
from argmap.load import changed_statements, line_changes, load_paths
from argmap.validate import _folded, _key_piece, load_valid, source_identifier

ROOT = Path(__file__).resolve().parents[1]
DATA = [ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl"]
BASE = ROOT / "tests" / "fixtures" / "base.ttl"


def test_what_load_valid_returns_holds_the_store_and_paths_but_no_text():
    loaded = load_valid(DATA)
    assert len(loaded.store) > 3000 and loaded.paths == DATA
    for source in loaded.files:
        assert source._text is None and source._triples is None and source.kept is None and source.scanned is None
        with pytest.raises(DataError, match="released"):
            source.text  # noqa: B018 - the property raises


def test_triples_parsed_again_name_blank_nodes_as_the_store_does(tmp_path):
    path = tmp_path / "blank.ttl"
    path.write_text(
        "@prefix ex: <http://example.org/> .\n_:a ex:p [ ex:q _:b ] .\n_:b ex:r ( ex:x ex:y ) .\n", encoding="utf-8"
    )
    loaded = load_paths([path])
    again = {ox.Quad(t.subject, t.predicate, t.object) for t in loaded.files[0].parse()}
    assert again == set(loaded.store) and len(again) == 7


def parsed(data: bytes) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(input=data, format=ox.RdfFormat.TURTLE)}


def edited(lines: list[str], rng: random.Random) -> list[str]:
    """One to three edits a contributor might make: a letter changed, a line dropped or repeated, a block copied
    elsewhere or dropped, a blank line or a comment ending with `.` inserted, two lines swapped."""
    lines = list(lines)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(40, len(lines) - 1)  # below the prefixes
        op = rng.choice(["letter", "drop", "repeat", "copy-block", "drop-block", "blank", "comment", "swap"])
        if op == "letter":
            line = lines[at]
            spots = [i for i, ch in enumerate(line) if ch.isalpha()]
            if spots:
                i = rng.choice(spots)
                lines[at] = line[:i] + line[i].swapcase() + line[i + 1 :]
        elif op == "drop":
            del lines[at]
        elif op == "repeat":
            lines.insert(at, lines[at])
        elif op in ("copy-block", "drop-block"):
            start = max(i for i in range(at + 1) if i == 0 or lines[i - 1] == "")
            end = next((i for i in range(at, len(lines)) if lines[i] == ""), len(lines))
            block = lines[start : end + 1]
            if op == "drop-block":
                del lines[start : end + 1]
            else:
                lines[rng.randrange(40, len(lines)) : 0] = block
        elif op == "blank":
            lines.insert(at, "")
        elif op == "comment":
            lines.insert(at, "# see the note above.")
        else:
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
    return lines


@pytest.mark.parametrize("path", DATA, ids=lambda p: p.name)
def test_the_changed_statements_hold_every_triple_added_or_removed(path: Path):
    old_text = path.read_text(encoding="utf-8")
    old = old_text.encode("utf-8")
    before = parsed(old)
    prefixes = dict(load_paths([path]).files[0].prefixes)
    rng = random.Random(path.name)
    checked = 0
    for _ in range(60):
        new = "\n".join(edited(old_text.split("\n"), rng)).encode("utf-8")
        try:
            after = parsed(new)
        except SyntaxError:
            continue  # the edit broke the syntax: validation stops at the syntax error, nothing is compared
        found = changed_statements(old, new, prefixes)
        assert found is not None, "an ordinary edit of the shipped data is told statement by statement"
        then, now = parsed(found[0]), parsed(found[1])
        assert before ^ after <= then ^ now
        assert then <= before and now <= after  # and nothing the files do not hold
        checked += 1
    assert checked >= 30


LONG_STRING = '@prefix ex: <http://example.org/> .\nex:a ex:p """one\n\ntwo""" .\nex:b ex:p "x" .\n'


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a long string: a line cannot be read alone
        (LONG_STRING, LONG_STRING.replace('"x"', '"y"')),
        # a directive after the first change: the prefixes then are not those at the top
        (
            '@prefix ex: <http://example.org/> .\nex:a ex:p "x" .\nex:b ex:p ex:c .\n',
            '@prefix ex: <http://example.org/> .\nex:a ex:p "y" .\n'
            "@prefix ex: <http://other.org/> .\nex:b ex:p ex:c .\n",
        ),
        (
            '@prefix ex: <http://example.org/> .\nex:a ex:p "x" .\nex:b ex:p ex:c .\n',
            '@prefix ex: <http://example.org/> .\nex:a ex:p "y" .\nPREFIX ex: <http://other.org/>\nex:b ex:p ex:c .\n',
        ),
    ],
    ids=["long-string", "turtle-directive", "sparql-directive"],
)
def test_changed_statements_decline_what_lines_cannot_tell(old: str, new: str):
    assert changed_statements(old.encode(), new.encode(), {"ex": "http://example.org/"}) is None


def test_a_changed_line_is_widened_to_its_whole_statement():
    """The block above ends without a blank line, a comment ends with `.`, a string ends with ` .`."""
    old = (
        "@prefix ex: <http://example.org/> .\n"
        'ex:a ex:p "ends with ." ;\n'
        "  ex:q ex:b .\n"
        "# a remark.\n"
        "ex:c ex:p ex:d ;\n"
        '  ex:label "old" ;\n'
        "  ex:q ex:e .\n"
        "ex:f ex:p ex:g .\n"
    )
    new = old.replace('"old"', '"new"')
    found = changed_statements(old.encode(), new.encode(), {"ex": "http://example.org/"})
    assert found is not None
    then, now = parsed(found[0]), parsed(found[1])
    ex = "http://example.org/"
    assert {t.subject.value for t in then | now} == {ex + "c"}  # the whole ex:c statement, nothing else
    assert len(then) == len(now) == 3


def test_line_changes_name_each_changed_stretch_and_give_up_on_a_rewrite():
    before = [f"line {i}".encode() for i in range(2000)]
    after = list(before)
    after[10] = b"changed"
    after[500:500] = [b"new one", b"new two"]
    del after[1502]  # line 1500 of before
    assert line_changes(before, after) == [(10, 11, 10, 11), (500, 500, 500, 502), (1500, 1501, 1502, 1502)]
    assert line_changes(before, [f"other {i}".encode() for i in range(2000)]) is None


SPELLINGS = [
    ("doi", "10.1234/ABC.def"),
    ("doi", "https://doi.org/10.1234/abc.DEF"),
    ("doi", "doi:10.1234/Abc.def"),
    ("arxivId", "arXiv:2401.01234v2"),
    ("arxivId", "2401.01234"),
    ("url", "https://arxiv.org/abs/2401.01234v3"),
    ("url", "https://arxiv.org/pdf/2401.01234.pdf"),
    ("url", "http://dx.doi.org/10.1234/abc.def"),
    ("url", "https://www.Example.org/a/b/"),
    ("url", "http://example.org:8080/a/b"),
    ("url", "https://user@EXAMPLE.org/a/b?x=1#frag"),
    ("url", "https://exa\tmple.org/a/\nb"),
    ("url", "https://www.example.org"),
    ("url", "https://example.org/?q=Straße"),
    ("url", "  https://example.org/#top  "),
]


@pytest.mark.parametrize(("predicate", "value"), SPELLINGS)
def test_every_spelling_of_an_identifier_holds_its_key_piece(predicate: str, value: str):
    key = source_identifier(f"https://w3id.org/argmap/vocab#{predicate}", value)
    assert key is not None
    assert _folded(_key_piece(key)) in _folded(value)
