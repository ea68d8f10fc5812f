"""argmap.reasoning: argument status under grounded, preferred and stable semantics, what-if, health, structure.

The small frameworks are Turtle fixtures in tests/fixtures/reasoning/ (each file's header says what it is and
why its extensions are what they are), read with the real loader and model. A second check does not trust the
hand-derived answers: random attack-only frameworks are written as Turtle and compared with Dung's definitions
computed by brute force over all subsets (grounded: least fixpoint of the characteristic function; preferred:
maximal admissible sets; stable: conflict-free sets that attack everything outside).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import pytest

from argmap.config import PREFIXES
from argmap.load import load_paths
from argmap.model import build_model
from argmap.query import run_query
from argmap.reasoning import (
    IN,
    Change,
    Framework,
    ReasoningError,
    analyse,
    components_in_order,
    retraction_effects,
    statuses,
    what_if,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "reasoning"
DATA = [ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl"]
CLAIM, EVIDENCE, VIEW, RESPONSE = (PREFIXES[p] for p in ("claim", "evidence", "view", "response"))


def model_of(*paths: Path):
    return build_model(load_paths([str(p) for p in paths]).store)


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def extensions(model, semantics: str) -> list[set[str]]:
    """The accepted set of each labelling, by local name, sorted (so lists compare)."""
    fw = Framework(model)
    labellings = fw.label(semantics, set(fw.withdrawn))
    found = [{local(fw.iris[x]) for x, value in enumerate(lab) if value == IN} for lab in labellings]
    return sorted(found, key=sorted)


#: fixture -> semantics -> its extensions (accepted sets), derived by hand in each fixture's header
EXPECTED = {
    "even-cycle.ttl": {
        "grounded": [set()],
        "preferred": [{"a", "d"}, {"b", "d"}],
        "stable": [{"a", "d"}, {"b", "d"}],
    },
    "odd-cycle.ttl": {"grounded": [set()], "preferred": [set()], "stable": []},
    "self-attack.ttl": {"grounded": [{"c", "f"}], "preferred": [{"c", "f"}], "stable": []},
    "undercut.ttl": {s: [{"fig", "check"}] for s in ("grounded", "preferred", "stable")},
    "support-chain.ttl": {s: [{"q", "c1", "c2", "t", "w"}] for s in ("grounded", "preferred", "stable")},
    "support-cycle.ttl": {"grounded": [set()], "preferred": [{"p", "q"}], "stable": [{"p", "q"}]},
}


@pytest.mark.parametrize("semantics", ["grounded", "preferred", "stable"])
@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_hand_made_frameworks_have_their_known_extensions(fixture: str, semantics: str):
    model = model_of(FIXTURES / fixture)
    expected = sorted(EXPECTED[fixture][semantics], key=sorted)
    assert extensions(model, semantics) == expected


def test_sceptical_status_floating_acceptance_under_preferred():
    # even cycle: d is accepted in both preferred labellings although neither a nor b is; c is rejected in both
    model = model_of(FIXTURES / "even-cycle.ttl")
    a = analyse(model, semantics="preferred", as_of="2026-01-01")
    value = {local(i): s.value for i, s in a.status.items()}
    assert value == {"a": "undecided", "b": "undecided", "c": "rejected", "d": "accepted"}
    assert a.labellings == 2
    assert "not the same in all 2 labellings" in a.status[CLAIM + "a"].reason
    grounded = analyse(model, as_of="2026-01-01")
    assert {s.value for s in grounded.status.values()} == {"undecided"}


def test_no_stable_labelling_leaves_everything_undecided_and_says_why():
    a = analyse(model_of(FIXTURES / "odd-cycle.ttl"), semantics="stable", as_of="2026-01-01")
    assert a.labellings == 0
    assert {s.value for s in a.status.values()} == {"undecided"}
    assert all(s.reason.startswith("no stable labelling exists") for s in a.status.values())


def test_an_undercut_inference_carries_no_support():
    model = model_of(FIXTURES / "undercut.ttl")
    a = analyse(model, as_of="2026-01-01")
    status = {local(i): s for i, s in a.status.items()}
    assert status["fig-to-r"].value == "rejected"
    assert status["fig-to-r"].attackers == (EVIDENCE + "check",)
    assert "defeated by accepted evidence:check" in status["fig-to-r"].reason
    # r has a supporter (the figure, through the inference) but no support holds: undecided, not rejected
    assert status["r"].value == "undecided"
    assert status["r"].supports == (EVIDENCE + "fig",)
    assert "no support holds" in status["r"].reason and "undercut" in status["r"].reason
    assert status["v"].value == "undecided"
    assert "attacked by undecided R1" in status["v"].reason
    # the check challenges the inference and, through it, the inference's conclusion
    assert a.flags(PREFIXES["inference"] + "fig-to-r") == ("challenged-by-check",)
    assert "challenged-by-check" in a.flags(RESPONSE + "r")
    # without the check, the figure's support reaches r, and r defeats v
    changes = what_if(model, [EVIDENCE + "check"])
    assert changes == [
        Change(PREFIXES["inference"] + "fig-to-r", "rejected → accepted"),
        Change(RESPONSE + "r", "undecided → accepted"),
        Change(VIEW + "v", "undecided → rejected"),
    ]


def test_retracting_the_evidence_at_the_root_of_a_support_chain():
    model = model_of(FIXTURES / "support-chain.ttl")
    assert what_if(model, [EVIDENCE + "q"]) == [
        Change(CLAIM + "c1", "loses all evidence"),
        Change(CLAIM + "c1", "accepted → undecided"),
        Change(CLAIM + "c2", "loses all support"),
        Change(CLAIM + "c2", "accepted → undecided"),
        Change(CLAIM + "t", "loses all support"),
        Change(CLAIM + "t", "accepted → undecided"),
    ]
    a = analyse(model, retract=[EVIDENCE + "q"], as_of="2026-01-01")
    assert a.status[EVIDENCE + "q"].value == "rejected"
    assert a.status[EVIDENCE + "q"].reason == "retracted (what-if)"
    assert a.retracted == (EVIDENCE + "q",)
    # structure: the chain q → c1 → c2 → t, and q is the only support of three statements
    assert a.structure.longest_chains[0] == tuple([EVIDENCE + "q", CLAIM + "c1", CLAIM + "c2", CLAIM + "t"])
    assert a.structure.load_bearing == ((EVIDENCE + "q", (CLAIM + "c1", CLAIM + "c2", CLAIM + "t")),)


def test_support_cycles_are_found():
    a = analyse(model_of(FIXTURES / "support-cycle.ttl"), as_of="2026-01-01")
    assert a.structure.support_cycles == ((CLAIM + "p", CLAIM + "q"),)
    assert analyse(model_of(FIXTURES / "support-chain.ttl"), as_of="2026-01-01").structure.support_cycles == ()


def test_a_retraction_in_the_data_counts_like_a_what_if(tmp_path: Path):
    retraction = tmp_path / "retraction.ttl"
    retraction.write_text(
        "@prefix am: <https://w3id.org/argmap/vocab#> .\n"
        "@prefix evidence: <https://w3id.org/argmap/id/evidence/> .\n"
        "evidence:erratum a am:Quote ; am:retracts evidence:q .\n",
        encoding="utf-8",
    )
    model = model_of(FIXTURES / "support-chain.ttl", retraction)
    a = analyse(model, as_of="2026-01-01")
    assert a.status[EVIDENCE + "q"].value == "rejected"
    assert a.status[EVIDENCE + "q"].reason == "retracted by evidence:erratum"
    assert a.status[CLAIM + "t"].value == "undecided"


def test_unknown_semantics_and_non_items_are_refused():
    model = model_of(FIXTURES / "undercut.ttl")
    with pytest.raises(ReasoningError, match="unknown semantics"):
        analyse(model, semantics="ideal")
    with pytest.raises(ReasoningError, match="is a paper|is not in the data"):
        what_if(model, [PREFIXES["claim"] + "nothing"])
    with pytest.raises(ReasoningError, match="not a date"):
        analyse(model, as_of="last tuesday")
    # a source stands for every piece of evidence taken from it
    assert analyse(model, retract=[PREFIXES["source"] + "s"], as_of="2026-01-01").retracted == (EVIDENCE + "check",)


# ------------------------------------------------------------------------------------- against Dung's definitions
def dung(args: list[str], attacks: set[tuple[str, str]]) -> dict[str, list[set[str]]]:
    """Grounded, preferred and stable extensions by brute force from the definitions."""
    attackers = {a: {x for x, y in attacks if y == a} for a in args}

    def conflict_free(s: set[str]) -> bool:
        return not any((x, y) in attacks for x in s for y in s)

    def defends(s: set[str], a: str) -> bool:
        return all(any((d, b) in attacks for d in s) for b in attackers[a])

    subsets = [set(c) for r in range(len(args) + 1) for c in itertools.combinations(args, r)]
    admissible = [s for s in subsets if conflict_free(s) and all(defends(s, a) for a in s)]
    preferred = [s for s in admissible if not any(s < t for t in admissible)]
    stable = [s for s in subsets if conflict_free(s) and all(any((x, y) in attacks for x in s) for y in set(args) - s)]
    grounded: set[str] = set()
    while True:
        step = {a for a in args if defends(grounded, a)}
        if step == grounded:
            break
        grounded = step
    return {"grounded": [grounded], "preferred": preferred, "stable": stable}


def test_random_attack_frameworks_match_dungs_definitions(tmp_path: Path):
    rng = random.Random(11)
    head = "@prefix am: <https://w3id.org/argmap/vocab#> .\n@prefix claim: <https://w3id.org/argmap/id/claim/> .\n"
    for case in range(60):
        args = [f"a{i}" for i in range(rng.randint(1, 7))]
        density = rng.choice([0.15, 0.3, 0.5])
        attacks = {(x, y) for x in args for y in args if rng.random() < density}
        lines = [head] + [f"claim:{a} a am:Claim .\n" for a in args]
        lines += [f"claim:{x} am:attacks claim:{y} .\n" for x, y in sorted(attacks)]
        path = tmp_path / f"random-{case}.ttl"
        path.write_text("".join(lines), encoding="utf-8")
        model = model_of(path)
        expected = dung(args, attacks)
        for semantics in ("grounded", "preferred", "stable"):
            want = sorted(expected[semantics], key=sorted)
            assert extensions(model, semantics) == want, (case, semantics, sorted(attacks))


def labellings_by_brute_force(args, attacks, supports) -> dict[str, list[set[str]]]:
    """Every labelling of a framework with supports that obeys the module's rules, by trying all 3^n of them:
    in iff every attacker is out and (no supporter, or one is in); out iff an attacker is in; else undecided.
    Grounded: the complete labelling with the fewest decided items; preferred: maximal accepted sets; stable: no
    item undecided that lies on a cycle of attacks and supports (networkx finds the cycles)."""
    import networkx as nx

    attackers = {a: [x for x, y in attacks if y == a] for a in args}
    supporters = {a: [x for x, y in supports if y == a] for a in args}

    def rule(a: str, lab: dict[str, str]) -> str:
        if any(lab[x] == "in" for x in attackers[a]):
            return "out"
        if all(lab[x] == "out" for x in attackers[a]) and (
            not supporters[a] or any(lab[x] == "in" for x in supporters[a])
        ):
            return "in"
        return "undec"

    complete = []
    for values in itertools.product(("in", "out", "undec"), repeat=len(args)):
        lab = dict(zip(args, values, strict=True))
        if all(lab[a] == rule(a, lab) for a in args):
            complete.append(lab)
    accepted = [{a for a in args if lab[a] == "in"} for lab in complete]
    grounded = min(complete, key=lambda lab: sum(v != "undec" for v in lab.values()))
    graph = nx.DiGraph()
    graph.add_nodes_from(args)
    graph.add_edges_from(attacks | supports)
    cyclic = {a for c in nx.strongly_connected_components(graph) for a in c if len(c) > 1 or graph.has_edge(a, a)}
    return {
        "grounded": [{a for a in args if grounded[a] == "in"}],
        "preferred": [s for s in accepted if not any(s < t for t in accepted)],
        "stable": [
            {a for a in args if lab[a] == "in"} for lab in complete if not any(lab[a] == "undec" for a in cyclic)
        ],
    }


def test_random_frameworks_with_support_match_the_rules_by_brute_force(tmp_path: Path):
    # checks the component-by-component computation (and the local maximality it uses for preferred) against a
    # search over every labelling of the whole framework
    rng = random.Random(23)
    head = "@prefix am: <https://w3id.org/argmap/vocab#> .\n@prefix claim: <https://w3id.org/argmap/id/claim/> .\n"
    for case in range(80):
        args = [f"a{i}" for i in range(rng.randint(1, 6))]
        attacks = {(x, y) for x in args for y in args if rng.random() < 0.2}
        supports = {(x, y) for x in args for y in args if x != y and (x, y) not in attacks and rng.random() < 0.2}
        lines = [head] + [f"claim:{a} a am:Claim .\n" for a in args]
        lines += [f"claim:{x} am:attacks claim:{y} .\n" for x, y in sorted(attacks)]
        lines += [f"claim:{x} am:supports claim:{y} .\n" for x, y in sorted(supports)]
        path = tmp_path / f"bipolar-{case}.ttl"
        path.write_text("".join(lines), encoding="utf-8")
        model = model_of(path)
        expected = labellings_by_brute_force(args, attacks, supports)
        for semantics in ("grounded", "preferred", "stable"):
            want = sorted(expected[semantics], key=sorted)
            got = extensions(model, semantics)
            assert got == want, (case, semantics, sorted(attacks), sorted(supports))


def test_components_come_in_topological_order():
    rng = random.Random(5)
    for _ in range(30):
        n = rng.randint(1, 30)
        children = [[w for w in range(n) if rng.random() < 0.08] for _ in range(n)]
        components = components_in_order(children)
        assert sorted(x for c in components for x in c) == list(range(n))
        position = {x: k for k, c in enumerate(components) for x in c}
        for v in range(n):
            for w in children[v]:
                assert position[v] <= position[w]  # an edge never goes back
        # members of one component reach each other: compare with a transitive closure
        reach = [{v} for v in range(n)]
        for _ in range(n):
            for v in range(n):
                for w in list(reach[v]):
                    reach[v] |= set(children[w])
        for c in components:
            assert all(b in reach[a] for a in c for b in c)
        for a, b in itertools.combinations(range(n), 2):
            if b in reach[a] and a in reach[b]:
                assert position[a] == position[b]


# ------------------------------------------------------------------------------------- the shipped debate
@pytest.fixture(scope="module")
def shipped():
    return model_of(*DATA)


def by_outline(model, outline_id: str) -> str:
    (iri,) = [i for i, n in model.nodes.items() if n.outline_id == outline_id]
    return iri


def test_shipped_thesis_stands_and_every_view_is_rejected(shipped):
    for semantics in ("grounded", "preferred", "stable"):
        a = analyse(shipped, semantics=semantics, as_of="2026-12-03", load_bearing=False)
        assert a.labellings == 1  # the shipped framework is acyclic: one labelling under every semantics
        (thesis,) = shipped.theses()
        assert a.status[thesis.iri].value == "accepted"
        views = shipped.of_kind("view")
        assert len(views) == 5
        for view in views:
            status = a.status[view.iri]
            assert status.value == "rejected"
            # defeated by exactly its accepted responses, as the data says
            attackers = {e.source for e in shipped.incoming(view.iri, "attacks")}
            assert set(status.attackers) == attackers


def test_what_if_the_quotes_behind_r4a_and_r4b_were_retracted(shipped):
    """V4 (regulation beats investment) is attacked by R4a, R4b and R4c. R4c is already defeated by an outside
    check. R4b rests on two quotes of the paper and on R4c; R4a on two quotes and on R4b. Retract the four
    quotes: R4b keeps only the rejected R4c (loses all evidence: what it held was all evidence); R4a keeps only
    the now undecided R4b (loses all support); neither is defeated, so both become undecided. V4, attacked
    only by undecided or rejected items, is no longer defeated: rejected → undecided. The thesis, attacked by
    an undecided V4, can no longer be accepted: accepted → undecided."""
    r4a, r4b, r4c, v4 = (by_outline(shipped, i) for i in ("R4a", "R4b", "R4c", "V4"))
    (thesis,) = shipped.theses()
    quotes_a = {n.iri for n in shipped.sources_of(r4a, "supports") if n.kind == "evidence"}
    quotes_b = {n.iri for n in shipped.sources_of(r4b, "supports") if n.kind == "evidence"}
    # the premises of the reasoning above, checked on the data
    assert {n.iri for n in shipped.sources_of(r4a, "supports") if n.kind != "evidence"} == {r4b}
    assert {n.iri for n in shipped.sources_of(r4b, "supports") if n.kind != "evidence"} == {r4c}
    assert {e.source for e in shipped.incoming(v4, "attacks")} == {r4a, r4b, r4c}
    assert len(quotes_a) == len(quotes_b) == 2
    assert {shipped.nodes[shipped.nodes[q].source].kind for q in quotes_a | quotes_b} == {"paper"}
    before = statuses(shipped)
    assert (before[r4a], before[r4b], before[r4c], before[v4]) == ("accepted", "accepted", "rejected", "rejected")

    changes = what_if(shipped, sorted(quotes_a | quotes_b))
    assert changes == [
        Change(r4b, "loses all evidence"),
        Change(r4b, "accepted → undecided"),
        Change(r4a, "loses all support"),
        Change(r4a, "accepted → undecided"),
        Change(v4, "rejected → undecided"),
        Change(thesis.iri, "accepted → undecided"),
    ]


def test_what_if_the_outside_check_on_r4c_were_retracted(shipped):
    # R4c's only attacker is the check on how SCALE AI describes itself; R4c has a quote of its own, so without
    # the check it stands. Nothing else changes: R4b and V4 were already accepted and rejected.
    r4c = by_outline(shipped, "R4c")
    (check,) = [e.source for e in shipped.incoming(r4c, "attacks")]
    assert what_if(shipped, [check]) == [Change(r4c, "rejected → accepted")]


def test_retraction_effects_equal_one_what_if_per_evidence(shipped):
    # retraction_effects relabels only downstream of each piece of evidence; what_if labels everything again
    fw = Framework(shipped)
    effects = retraction_effects(shipped)
    evidence = [n.iri for n in shipped.of_kind("evidence")]
    assert sorted(effects) == sorted(evidence)
    assert any(effects.values())
    for iri in evidence:
        assert effects[iri] == what_if(shipped, [iri], framework=fw), iri
    for semantics in ("preferred", "stable"):
        assert retraction_effects(shipped, semantics=semantics) == effects  # acyclic: every semantics agrees


def test_retraction_effects_on_a_generated_1k_debate(tmp_path: Path):
    # the benchmark's synthetic debate (benchmarks/generate.py): copies woven together, so what-ifs reach further
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    model = model_of(*generate.write(1_000, 1, tmp_path))
    fw = Framework(model)
    effects = retraction_effects(model, framework=fw)
    assert sum(1 for changes in effects.values() if changes) > 10
    for iri, changes in effects.items():
        assert changes == what_if(model, [iri], framework=fw), iri


def test_evidence_health_of_the_shipped_debate(shipped):
    a = analyse(shipped, as_of="2026-12-03")
    responses = [n.iri for n in shipped.of_kind("response")]
    paper_only = [r for r in responses if "paper-only" in a.flags(r)]
    # the same count by SPARQL: responses all of whose bearing evidence has the paper (a Document that is not a
    # Source) as its am:source
    query = """
    SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {
      ?r a am:Response .
      ?e am:supports|am:qualifies|am:attacks ?r ; a/rdfs:subClassOf* am:Evidence .
      FILTER NOT EXISTS {
        ?e2 am:supports|am:qualifies|am:attacks ?r ; a/rdfs:subClassOf* am:Evidence .
        FILTER NOT EXISTS { ?e2 am:source/a/rdfs:subClassOf* am:Document }
      }
    }"""
    store = load_paths([str(p) for p in DATA] + [str(ROOT / "argmap" / "resources" / "vocab.ttl")]).store
    (row,) = run_query(store, query).values()
    assert len(paper_only) == int(str(row[0])) == 20
    assert len(responses) == 23
    # every flag is one of the documented ones, and sorted
    for iri in a.status:
        flags = a.flags(iri)
        assert flags == tuple(sorted(flags))
        assert set(flags) <= {"no-evidence", "paper-only", "single-source", "challenged-by-check", "stale"}
    # the outside checks: F1-F3 qualified, the two download inferences undercut, R4c attacked
    challenged = {(i, r) for i, _, r in a.health.challenged}
    assert (by_outline(shipped, "R4c"), "attacks") in challenged
    assert sum(1 for _, r in challenged if r == "undercuts") == 2


def test_stale_figures_depend_on_as_of_and_stale_after(shipped):
    figures = {n.iri: dt.date.fromisoformat(n.as_of) for n in shipped.of_kind("evidence") if n.as_of}
    assert len(figures) == 15  # every shipped as-of is a full xsd:date
    # 12 months before 2027-01-30 is 2026-01-30: the figures dated 2025-12-31 and 2026-01-29 are stale
    a = analyse(shipped, as_of="2027-01-30", load_bearing=False)
    cutoff = dt.date(2026, 1, 30)
    assert {f for f, _ in a.health.stale} == {f for f, d in figures.items() if d < cutoff}
    assert len(a.health.stale) == 6
    assert all("stale" in a.flags(f) for f, _ in a.health.stale)
    # a month is a calendar month: 6 months before 2026-07-31 is 2026-01-31, so 2026-01-31 is not stale yet
    six = analyse(shipped, as_of="2026-07-31", stale_after=6, load_bearing=False)
    assert {d for f, d in six.health.stale} == {"2025-12-31", "2026-01-29"}
    assert analyse(shipped, as_of="2026-12-03", stale_after=1200, load_bearing=False).health.stale == ()


def test_to_dict_is_deterministic_and_complete(shipped):
    one = analyse(shipped, as_of="2026-12-03").to_dict()
    two = analyse(model_of(*DATA), as_of="2026-12-03").to_dict()
    assert one == two
    assert set(one["status"]) == {
        n.iri
        for n in shipped.nodes.values()
        if n.kind
        in {"claim", "challenge", "principle", "example", "view", "response", "implication", "evidence", "inference"}
    }
