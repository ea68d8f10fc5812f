"""Argument status, what-if, evidence health and structure: what follows from the debate as it stands.

The framework
-------------
Every statement, piece of evidence and inference (`am:Inference`) is an *item*. Between items:

- an **attack** (`am:attacks`) and an **undercut** (`am:undercuts`, whose target is an inference) are both
  attacks in Dung's sense;
- a **support** (`am:supports`) from a supporter to what it supports;
- an **inference** `i` with premises P and conclusion c carries the support of P to c: it is effective only while
  `i` itself stands (is not defeated, e.g. by an undercut) and every premise in P is accepted. A direct
  `p am:supports c` edge that an inference from p to c also states is carried by that inference, so undercutting
  the inference cuts that support.
- an item that is retracted (`--retract`, or `X am:retracts Y` / `X am:supersedes Y` in the data) is fixed as
  rejected: it is out of the argument, and whatever it attacked or supported no longer counts on it.

The bipolar reading (support)
-----------------------------
A labelling gives each item accepted (in), rejected (out) or undecided. An item is

- **rejected** iff it is retracted, or some attacker is accepted;
- **accepted** iff every attacker is rejected *and* it is grounded: it has no supporters at all (a premise, as the
  paper asserts it), or at least one of its supports is effective (a supporter accepted; an inference standing
  with all its premises accepted);
- **undecided** otherwise: attacked by an undecided item, or it has supporters and none of them holds.

So a statement whose every support is defeated is *not accepted* — it becomes undecided, not rejected.
Why this reading (rather than turning a lost support into a defeat, as the "necessary support" reduction to a
plain Dung framework does): losing one's evidence is not being refuted. A response whose evidence is retracted
still stands as a claim the paper makes, unproven; it no longer *defeats* the view it answers, but nor does the
view win by default — the view becomes undecided ("R3d loses all evidence; V3 becomes undecided"). Rejection
is kept for what an accepted item attacks. A statement with no supporters is taken as the paper asserts it
(accepted unless attacked); the evidence-health part of the analysis lists those as "no-evidence".

A *complete* labelling is one where every item has the label the rules above give it from its attackers' and
supporters' labels. Semantics:

- **grounded** (default): the least complete labelling (least fixpoint; unique; circular support grounds nothing);
- **preferred**: the complete labellings whose accepted set is maximal;
- **stable**: the complete labellings in which no item *inside a cycle* of the dependency graph is undecided.
  On a plain attack-only framework this is exactly Dung's stable semantics; an acyclic item whose support is
  missing is still undecided (it has no choice), and a cycle that cannot be labelled without undecided items
  (an odd attack cycle, a self-attacker) means there is no stable labelling at all: then every item is reported
  undecided with that reason.

With several labellings (preferred, stable), an item's status is sceptical: accepted if accepted in every
labelling, rejected if rejected in every one, else undecided.

How it is computed
------------------
Labels depend only on attackers, supporters, inferences and premises, so the items are split into the strongly
connected components of that dependency graph (networkx) and labelled one component at a time in topological
order: an acyclic item in one step, a cycle by fixpoint (grounded) or by a backtracking search over its members
that the grounded labelling leaves undecided (preferred, stable; exact, bounded by `MAX_SEARCH` steps per
component). The shipped debate's dependency graph is acyclic, so every semantics is linear in its size. A what-if
recomputes only what lies downstream of the retracted items, and stops where a label does not change.

Evidence health and structure
-----------------------------
Flags per item: "no-evidence" (a statement no evidence bears on and that cites no source), "paper-only" (every
piece of evidence bearing on it has the paper itself, an `am:Document` and not an `am:Source`, as its
`am:source`), "single-source" (`argmap.analyse.single_source_statements`: exactly one outside source),
"challenged-by-check" (an `am:Check` qualifies, attacks or undercuts it; an undercut also flags the inference's
conclusion), "stale" (a figure whose as-of date is more than `stale_after` months before `as_of`). Structure:
support cycles, the most load-bearing evidence (how many statements lose all support if it is retracted) and the
longest support chains from evidence to the thesis.

The library never prints; `argmap analyse` renders an `Analysis`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .analyse import single_source_statements
from .config import PREFIXES
from .errors import ArgmapError
from .model import STATEMENT_KINDS, Model, curie

SEMANTICS = ("grounded", "preferred", "stable")
Value = Literal["accepted", "rejected", "undecided"]
FLAGS = ("challenged-by-check", "no-evidence", "paper-only", "single-source", "stale")
ITEM_KINDS = STATEMENT_KINDS | {"evidence", "inference"}
#: Backtracking steps allowed per cyclic component under preferred/stable, and labellings kept at once.
MAX_SEARCH = 200_000
MAX_LABELLINGS = 1024

UNDEC, IN, OUT = 0, 1, 2
_VALUE: dict[int, Value] = {IN: "accepted", OUT: "rejected", UNDEC: "undecided"}


class ReasoningError(ArgmapError):
    """The framework is too large to enumerate under the chosen semantics, or a what-if names no item."""


# ------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Status:
    """An item's status and why: every attacker and supporter (IRIs, sorted) and a sentence naming the decisive ones."""

    value: Value
    attackers: tuple[str, ...] = ()
    supports: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Change:
    """What a retraction does to one item: "loses all evidence", "loses all support", "accepted → undecided"."""

    iri: str
    what: str


@dataclass(frozen=True)
class Health:
    no_evidence: tuple[str, ...] = ()
    paper_only: tuple[str, ...] = ()
    outside_backed: tuple[str, ...] = ()
    single_source: tuple[tuple[str, str], ...] = ()  # (statement, its one outside source)
    stale: tuple[tuple[str, str], ...] = ()  # (figure, its as-of date)
    uncited_sources: tuple[str, ...] = ()
    challenged: tuple[tuple[str, str, str], ...] = ()  # (item, check, relation)


@dataclass(frozen=True)
class Structure:
    support_cycles: tuple[tuple[str, ...], ...] = ()
    load_bearing: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (evidence, statements that lose all support)
    longest_chains: tuple[tuple[str, ...], ...] = ()  # evidence … thesis


@dataclass(frozen=True)
class Analysis:
    """The status of every item under one semantics, with evidence health and structure."""

    semantics: str
    status: dict[str, Status]
    labellings: int
    retracted: tuple[str, ...]
    as_of: str
    stale_after: int
    health: Health
    structure: Structure
    changes: tuple[Change, ...] = ()  # what the retractions changed (empty without --retract)
    names: dict[str, str] = field(default_factory=dict, repr=False)  # IRI -> short name (R3d, F2, claim:x)
    _flags: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def flags(self, iri: str) -> tuple[str, ...]:
        return self._flags.get(iri, ())

    def name(self, iri: str) -> str:
        """The item's short name: R3d, F2, or its prefixed name."""
        try:
            return self.names[iri]
        except KeyError:
            return curie(iri)

    def counts(self) -> dict[str, int]:
        found = {"accepted": 0, "rejected": 0, "undecided": 0}
        for status in self.status.values():
            found[status.value] += 1
        return found

    def to_dict(self) -> dict:
        return {
            "semantics": self.semantics,
            "labellings": self.labellings,
            "as_of": self.as_of,
            "stale_after_months": self.stale_after,
            "retracted": list(self.retracted),
            "counts": self.counts(),
            "status": {
                iri: {
                    "name": self.name(iri),
                    "value": s.value,
                    "attackers": list(s.attackers),
                    "supports": list(s.supports),
                    "reason": s.reason,
                    "flags": list(self.flags(iri)),
                }
                for iri, s in sorted(self.status.items())
            },
            "changes": [{"iri": c.iri, "what": c.what} for c in self.changes],
            "health": {
                "no_evidence": list(self.health.no_evidence),
                "paper_only": list(self.health.paper_only),
                "outside_backed": list(self.health.outside_backed),
                "single_source": [{"statement": s, "source": src} for s, src in self.health.single_source],
                "stale": [{"figure": f, "as_of": d} for f, d in self.health.stale],
                "uncited_sources": list(self.health.uncited_sources),
                "challenged": [{"item": i, "check": c, "relation": r} for i, c, r in self.health.challenged],
            },
            "structure": {
                "support_cycles": [list(c) for c in self.structure.support_cycles],
                "load_bearing": [{"evidence": e, "statements": list(s)} for e, s in self.structure.load_bearing],
                "longest_chains": [list(c) for c in self.structure.longest_chains],
            },
        }


# ------------------------------------------------------------------------------------------- the framework
def components_in_order(children: Sequence[Sequence[int]]) -> list[tuple[int, ...]]:
    """The strongly connected components of a graph on 0..n-1 (`children[x]`: x's successors), each sorted, in a
    topological order (every edge between components goes forward). Tarjan's algorithm, iterative: it finds
    components sinks first, so the reversed list is topological. (networkx's condensation and lexicographic sort
    do the same in a second graph, about ten times slower at 10k nodes.) Deterministic for a given numbering."""
    n = len(children)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    found: list[tuple[int, ...]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, i = work[-1]
            succ = children[v]
            if i < len(succ):
                work[-1] = (v, i + 1)
                w = succ[i]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[v] < low[parent]:
                    low[parent] = low[v]
            if low[v] == index[v]:
                members = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    members.append(w)
                    if w == v:
                        break
                found.append(tuple(sorted(members)))
    found.reverse()
    return found


_NAMESPACES = {ns: prefix for prefix, ns in PREFIXES.items()}


def _curie(iri: str) -> str:
    """`model.curie`, in one dictionary look-up for the usual IRI whose namespace ends at its last / or #."""
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    prefix = _NAMESPACES.get(iri[:cut])
    return f"{prefix}:{iri[cut:]}" if prefix is not None and iri[cut:] else curie(iri)


class Names(dict):
    """IRI -> how a reader names it in one word: its outline id (R3d) or figure id (F2) where no other node has
    the same one (three figures share F6), else its prefixed name. Filled in as names are asked for."""

    def __init__(self, model: Model):
        super().__init__()
        self._model = model
        self._taken = Counter(n.outline_id or n.figure_id for n in model.nodes.values())

    def __missing__(self, iri: str) -> str:
        node = self._model.nodes.get(iri)
        short = (node.outline_id or node.figure_id) if node is not None else None
        name = short if short and self._taken[short] == 1 else _curie(iri)
        self[iri] = name
        return name


def display_names(model: Model) -> dict[str, str]:
    """Every node's short name (see `Names`), as a plain dictionary."""
    names = Names(model)
    return {iri: names[iri] for iri in model.nodes}


def short_name(model: Model, iri: str, names: dict[str, str] | None = None) -> str:
    """One node's name as `display_names` gives it (pass `names` when naming many: it is computed once)."""
    return (names if names is not None else Names(model))[iri]


class Framework:
    """The items of a model and the relations that decide their status, as integer-indexed lists."""

    def __init__(self, model: Model):
        self.model = model
        self.names = Names(model)
        items = sorted((n for n in model.nodes.values() if n.kind in ITEM_KINDS), key=lambda n: n.sort_key())
        self.iris: list[str] = [n.iri for n in items]
        self.index: dict[str, int] = {iri: i for i, iri in enumerate(self.iris)}
        n = len(self.iris)
        att: list[set[int]] = [set() for _ in range(n)]
        direct: list[set[int]] = [set() for _ in range(n)]
        premises: list[set[int]] = [set() for _ in range(n)]
        concludes: list[set[int]] = [set() for _ in range(n)]  # conclusion -> inferences
        withdrawn: dict[int, tuple[str, str]] = {}  # item -> (how, by whom)
        index = self.index
        for e in model.edges:
            s, t = index.get(e.source), index.get(e.target)
            if s is None or t is None:
                continue
            if e.relation in ("attacks", "undercuts"):
                att[t].add(s)
            elif e.relation == "supports":
                direct[t].add(s)
            elif e.relation == "premise":  # drawn premise -> inference
                premises[t].add(s)
            elif e.relation == "concludes":  # inference -> conclusion
                concludes[t].add(s)
            elif e.relation in ("retracts", "supersedes"):
                withdrawn.setdefault(t, (e.relation, e.source))
        # a direct support that an inference also states is carried by that inference
        for c in range(n):
            for i in concludes[c]:
                direct[c] -= premises[i]
        # items are numbered in reading order (Node.sort_key), so sorted numbers list them as a reader meets them
        self.attackers: list[tuple[int, ...]] = [tuple(sorted(a)) for a in att]
        self.direct: list[tuple[int, ...]] = [tuple(sorted(d)) for d in direct]
        self.inferences: list[tuple[int, ...]] = [tuple(sorted(c)) for c in concludes]
        self.premises: list[tuple[int, ...]] = [tuple(sorted(p)) for p in premises]
        self.withdrawn = withdrawn
        parents: list[list[int]] = [
            sorted(set(self.attackers[x]) | set(self.direct[x]) | set(self.inferences[x]) | set(self.premises[x]))
            for x in range(n)
        ]
        # an inference's premises decide whether it carries support, so they are parents of its conclusion
        for c in range(n):
            extra = {p for i in self.inferences[c] for p in self.premises[i]}
            if extra:
                parents[c] = sorted(set(parents[c]) | extra)
        self.parents = parents
        children: list[list[int]] = [[] for _ in range(n)]
        for x in range(n):
            for p in parents[x]:
                children[p].append(x)
        self.children = children
        self.components, self.component_of = self._components()
        # depth: the longest chain of dependencies above an item, so causes come before effects and items at
        # the same depth in reading order
        self.position = [0] * n
        for comp in self.components:
            inside = set(comp)
            depth = max((self.position[p] + 1 for x in comp for p in parents[x] if p not in inside), default=0)
            for x in comp:
                self.position[x] = depth

    def _components(self) -> tuple[list[tuple[int, ...]], list[int]]:
        components = components_in_order(self.children)
        component_of = [0] * len(self.iris)
        for k, comp in enumerate(components):
            for x in comp:
                component_of[x] = k
        return components, component_of

    def cyclic(self, comp: Sequence[int]) -> bool:
        return len(comp) > 1 or comp[0] in self.parents[comp[0]]

    # ----------------------------------------------------------------------------- the labelling rule
    def rule(self, x: int, lab: list[int], fixed: set[int]) -> int:
        """The label the item's attackers and supports give it (see the module docstring)."""
        if x in fixed:
            return OUT
        undecided = False
        for a in self.attackers[x]:
            la = lab[a]
            if la == IN:
                return OUT
            if la == UNDEC:
                undecided = True
        if undecided:
            return UNDEC
        direct, inferences = self.direct[x], self.inferences[x]
        if not direct and not inferences:
            return IN
        for s in direct:
            if lab[s] == IN:
                return IN
        for i in inferences:
            if lab[i] == IN and all(lab[p] == IN for p in self.premises[i]):
                return IN
        return UNDEC

    def supported(self, x: int, lab: list[int]) -> bool:
        """Has the item at least one effective support under `lab`?"""
        if any(lab[s] == IN for s in self.direct[x]):
            return True
        return any(lab[i] == IN and all(lab[p] == IN for p in self.premises[i]) for i in self.inferences[x])

    def has_supports(self, x: int) -> bool:
        return bool(self.direct[x] or self.inferences[x])

    # ----------------------------------------------------------------------------- labelling
    def label(self, semantics: str, fixed: set[int]) -> list[list[int]]:
        """Every labelling of the chosen semantics (one for grounded; none when stable has none)."""
        labellings: list[list[int]] = [[UNDEC] * len(self.iris)]
        for comp in self.components:
            labellings = self._label_component(comp, labellings, semantics, fixed)
            if not labellings:
                return []
        return labellings

    def _label_component(
        self, comp: Sequence[int], labellings: list[list[int]], semantics: str, fixed: set[int]
    ) -> list[list[int]]:
        if not self.cyclic(comp):
            x = comp[0]
            for lab in labellings:
                lab[x] = self.rule(x, lab, fixed)
            return labellings
        result: list[list[int]] = []
        for lab in labellings:
            options = self._component_options(comp, lab, semantics, fixed)
            for k, option in enumerate(options):
                target = lab if k == len(options) - 1 else lab.copy()
                for x, value in zip(comp, option, strict=True):
                    target[x] = value
                result.append(target)
            if len(result) > MAX_LABELLINGS:
                raise ReasoningError(
                    f"more than {MAX_LABELLINGS} {semantics} labellings: too many to enumerate; "
                    "use --semantics grounded"
                )
        return result

    def _grounded_component(self, comp: Sequence[int], lab: list[int], fixed: set[int]) -> None:
        for x in comp:
            lab[x] = UNDEC
        changed = True
        while changed:
            changed = False
            for x in comp:
                if lab[x] == UNDEC:
                    value = self.rule(x, lab, fixed)
                    if value != UNDEC:
                        lab[x] = value
                        changed = True

    def _component_options(
        self, comp: Sequence[int], lab: list[int], semantics: str, fixed: set[int]
    ) -> list[tuple[int, ...]]:
        """The labellings of one cyclic component, given the labels of everything upstream of it."""
        self._grounded_component(comp, lab, fixed)
        grounded = tuple(lab[x] for x in comp)
        if semantics == "grounded":
            return [grounded]
        free = [x for x in comp if lab[x] == UNDEC]
        members = set(comp)
        # check each member once all of its in-component parents (and itself) are assigned
        step_of = {x: k for k, x in enumerate(free)}
        checks: list[list[int]] = [[] for _ in free]
        settled: list[int] = []
        for x in comp:
            deps = [step_of[p] for p in self.parents[x] if p in members and p in step_of]
            if x in step_of:
                deps.append(step_of[x])
            if deps:
                checks[max(deps)].append(x)
            else:
                settled.append(x)
        complete: list[tuple[int, ...]] = []
        steps = 0

        def search(k: int) -> None:
            nonlocal steps
            if k == len(free):
                complete.append(tuple(lab[x] for x in comp))
                return
            x = free[k]
            for value in (IN, OUT, UNDEC):
                steps += 1
                if steps > MAX_SEARCH:
                    names = ", ".join(self.names[self.iris[m]] for m in comp[:5])
                    raise ReasoningError(
                        f"a cycle of {len(comp)} items ({names}, …) is too large to search under {semantics} "
                        "semantics; use --semantics grounded"
                    )
                lab[x] = value
                if all(lab[m] == self.rule(m, lab, fixed) for m in checks[k]):
                    search(k + 1)
            lab[x] = UNDEC

        if all(lab[m] == self.rule(m, lab, fixed) for m in settled):
            search(0)
        for x, value in zip(comp, grounded, strict=True):
            lab[x] = value
        if semantics == "stable":
            return [c for c in complete if UNDEC not in c]
        ins = [frozenset(i for i, v in enumerate(c) if v == IN) for c in complete]
        return [c for c, s in zip(complete, ins, strict=True) if not any(s < other for other in ins)]


# ------------------------------------------------------------------------------------------- statuses
def _aggregate(labellings: list[list[int]], n: int) -> list[int]:
    if not labellings:
        return [UNDEC] * n
    first = labellings[0]
    if len(labellings) == 1:
        return list(first)
    return [first[x] if all(lab[x] == first[x] for lab in labellings) else UNDEC for x in range(n)]


def _names(fw: Framework, items: Iterable[int]) -> str:
    return ", ".join(fw.names[fw.iris[i]] for i in items)


def _reason(fw: Framework, x: int, value: int, lab: list[int], fixed: set[int], retract: set[int], count: int) -> str:
    if x in fixed:
        if x in retract:
            return "retracted (what-if)"
        how, by = fw.withdrawn.get(x, ("retracts", ""))
        return f"{'superseded' if how == 'supersedes' else 'retracted'} by {fw.names[by]}"
    attackers = fw.attackers[x]
    accepted_att = [a for a in attackers if lab[a] == IN]
    undecided_att = [a for a in attackers if lab[a] == UNDEC]
    supporters = list(fw.direct[x]) + [p for i in fw.inferences[x] for p in fw.premises[i]]
    if value == OUT:
        return f"defeated by accepted {_names(fw, accepted_att)}"
    parts = []
    if not attackers:
        parts.append("not attacked")
    elif undecided_att:
        parts.append(f"attacked by undecided {_names(fw, undecided_att)}")
    else:
        parts.append(f"every attacker rejected ({_names(fw, attackers)})")
    if not fw.has_supports(x):
        parts.append("asserted without support")
    else:
        holding = [s for s in fw.direct[x] if lab[s] == IN]
        carried = [i for i in fw.inferences[x] if lab[i] == IN and all(lab[p] == IN for p in fw.premises[i])]
        holding += [p for i in carried for p in fw.premises[i]]
        if holding:
            parts.append(f"supported by {_names(fw, sorted(set(holding)))}")
        else:
            cut = [i for i in fw.inferences[x] if lab[i] != IN]
            why = f"no support holds ({_names(fw, supporters)})"
            if cut:
                why += f"; the inference from {_names(fw, [p for i in cut for p in fw.premises[i]])} is " + (
                    "undercut" if any(lab[i] == OUT for i in cut) else "in doubt"
                )
            parts.append(why)
    text = "; ".join(parts)
    if count > 1 and value == UNDEC:
        text += f"; not the same in all {count} labellings"
    return text


def _statuses(fw: Framework, labellings: list[list[int]], semantics: str, fixed: set[int], retract: set[int]):
    n = len(fw.iris)
    final = _aggregate(labellings, n)
    if not labellings:
        cyclic = [c for c in fw.components if fw.cyclic(c)]
        where = f" (cycles through {_names(fw, [c[0] for c in cyclic[:5]])})" if cyclic else ""
        reason = f"no stable labelling exists{where}"
    status = {}
    for x, iri in enumerate(fw.iris):
        attackers = tuple(sorted(fw.iris[a] for a in fw.attackers[x]))
        supporters = set(fw.direct[x]) | {p for i in fw.inferences[x] for p in fw.premises[i]}
        supports = tuple(sorted(fw.iris[s] for s in supporters))
        if labellings:
            reason = _reason(fw, x, final[x], final, fixed, retract, len(labellings))
        status[iri] = Status(_VALUE[final[x]], attackers, supports, reason)
    return final, status


# ------------------------------------------------------------------------------------------- what-if
def _changes(
    fw: Framework, before: list[int], after: list[int], retract: set[int], changed: Iterable[int] | None = None
) -> list[Change]:
    """Support lost and status changed, cause before effect (topological order, then reading order). `changed`:
    the items whose label changed, when known (only they and what they support can have changed)."""
    if changed is None:
        candidates: Iterable[int] = range(len(fw.iris))
    else:
        near = set(changed)
        for x in list(near):
            near.update(fw.children[x])
        candidates = sorted(near)
    found: list[tuple[int, int, int, Change]] = []
    for x in candidates:
        if x in retract:
            continue
        if fw.has_supports(x) and fw.supported(x, before) and not fw.supported(x, after):
            held = [s for s in fw.direct[x] if before[s] == IN]
            held += [
                p
                for i in fw.inferences[x]
                if before[i] == IN and all(before[q] == IN for q in fw.premises[i])
                for p in fw.premises[i]
            ]
            evidence = all(fw.model.nodes[fw.iris[s]].kind == "evidence" for s in held)
            what = "loses all evidence" if evidence else "loses all support"
            found.append((fw.position[x], x, 0, Change(fw.iris[x], what)))
        if before[x] != after[x]:
            found.append((fw.position[x], x, 1, Change(fw.iris[x], f"{_VALUE[before[x]]} → {_VALUE[after[x]]}")))
    found.sort(key=lambda t: t[:3])
    return [t[3] for t in found]


def _incremental(fw: Framework, base: list[int], fixed: set[int], start: Iterable[int]) -> tuple[list[int], set[int]]:
    """The grounded (or single-labelling) labelling after fixing more items out, and the items whose label changed:
    only the components downstream of `start` are relabelled, and only where one of their parents' labels changed.
    `base` is left as it was."""
    lab = list(base)
    changed: set[int] = set()
    dirty = {fw.component_of[x] for x in start}
    queue = sorted(dirty)
    heapq.heapify(queue)
    while queue:
        k = heapq.heappop(queue)
        comp = fw.components[k]
        old = [lab[x] for x in comp]
        if fw.cyclic(comp):
            fw._grounded_component(comp, lab, fixed)
        else:
            lab[comp[0]] = fw.rule(comp[0], lab, fixed)
        for x, was in zip(comp, old, strict=True):
            if lab[x] != was:
                changed.add(x)
                for child in fw.children[x]:
                    c = fw.component_of[child]
                    if c not in dirty:
                        dirty.add(c)
                        heapq.heappush(queue, c)
    return lab, changed


def retract_targets(model: Model, refs: Iterable[str]) -> list[str]:
    """The items a retraction of these IRIs takes out: an item itself; for a source, every piece of evidence that
    has it as `am:source`. ReasoningError for an IRI that is neither."""
    found: list[str] = []
    for iri in refs:
        node = model.node(iri)
        if node is None:
            raise ReasoningError(f"{curie(iri)} is not in the data")
        if node.kind in ITEM_KINDS:
            found.append(iri)
        elif node.kind in ("source", "paper"):
            found.extend(n.iri for n in model.of_kind("evidence") if n.source == iri)
        else:
            raise ReasoningError(
                f"{curie(iri)} is a {node.kind}, not a statement, evidence, inference or source: it cannot be retracted"
            )
    return sorted(set(found))


# ------------------------------------------------------------------------------------------- health
def _months_before(date: dt.date, months: int) -> dt.date:
    total = date.year * 12 + date.month - 1 - months
    year, month = divmod(total, 12)
    day = min(date.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def parse_date(text: str | None) -> dt.date | None:
    """A date from xsd:date, xsd:gYearMonth or xsd:gYear text (a month or year counts from its last day)."""
    if not text:
        return None
    m = _DATE.match(text.strip())
    if not m:
        return None
    year = int(m.group(1))
    try:
        if m.group(3):
            return dt.date(year, int(m.group(2)), int(m.group(3)))
        month = int(m.group(2)) if m.group(2) else 12
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        return None


def _source_kind(model: Model, iri: str | None) -> str | None:
    """ "paper" for evidence from the paper itself (an am:Document), "source" for an outside am:Source."""
    node = model.node(iri) if iri else None
    return node.kind if node is not None else None


def _health(fw: Framework, as_of: dt.date, stale_after: int) -> tuple[Health, dict[str, set[str]]]:
    model = fw.model
    statements = [model.nodes[i] for i in fw.iris if model.nodes[i].kind in STATEMENT_KINDS]
    evidence = [model.nodes[i] for i in fw.iris if model.nodes[i].kind == "evidence"]
    flags: dict[str, set[str]] = defaultdict(set)
    no_evidence, paper_only, outside = [], [], []
    nodes = model.nodes
    for node in statements:
        # the evidence bearing on it, as Model.evidence_for finds it (read from the edges once, for speed)
        bearing = [
            (e.relation, nodes[e.source])
            for e in model.incoming(node.iri, "supports", "qualifies", "attacks", "undercuts")
            if e.source in nodes and nodes[e.source].kind == "evidence"
        ]
        if not bearing and not model.outgoing(node.iri, "cites"):
            no_evidence.append(node.iri)
            flags[node.iri].add("no-evidence")
            continue
        if bearing and all(_source_kind(model, e.source) == "paper" for _, e in bearing):
            paper_only.append(node.iri)
            flags[node.iri].add("paper-only")
        if any(r in ("supports", "qualifies") and _source_kind(model, e.source) == "source" for r, e in bearing):
            outside.append(node.iri)
    single = [(n.iri, src) for n, src in single_source_statements(model)]
    for iri, _ in single:
        flags[iri].add("single-source")
    cutoff = _months_before(as_of, stale_after)
    stale = []
    for node in evidence:
        date = parse_date(node.as_of)
        if date is not None and date < cutoff:
            stale.append((node.iri, str(node.as_of)))
            flags[node.iri].add("stale")
    uncited = [n.iri for n in model.of_kind("source") if not model.incoming(n.iri, "cites")]
    challenged = []
    for check in evidence:
        if "Check" not in check.types:
            continue
        for relation in ("qualifies", "attacks", "undercuts"):
            for edge in model.outgoing(check.iri, relation):
                challenged.append((edge.target, check.iri, relation))
                flags[edge.target].add("challenged-by-check")
                if relation == "undercuts":
                    for conclusion in model.outgoing(edge.target, "concludes"):
                        flags[conclusion.target].add("challenged-by-check")
    health = Health(
        no_evidence=tuple(no_evidence),
        paper_only=tuple(paper_only),
        outside_backed=tuple(outside),
        single_source=tuple(single),
        stale=tuple(stale),
        uncited_sources=tuple(uncited),
        challenged=tuple(sorted(challenged)),
    )
    return health, flags


# ------------------------------------------------------------------------------------------- structure
def _support_children(fw: Framework) -> list[list[int]]:
    """The support graph: supporter -> what it supports (an inference's premises -> its conclusion)."""
    children: list[set[int]] = [set() for _ in fw.iris]
    for x in range(len(fw.iris)):
        for s in fw.direct[x]:
            children[s].add(x)
        for i in fw.inferences[x]:
            for p in fw.premises[i]:
                children[p].add(x)
    return [sorted(c) for c in children]


def _one_cycle(children: list[list[int]], members: tuple[int, ...]) -> tuple[int, ...]:
    """A cycle through the first member of a strongly connected component (breadth-first, so a shortest one)."""
    inside, start = set(members), members[0]
    came: dict[int, int] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in children[v]:
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(came[path[-1]])
                    return tuple(reversed(path))
                if w in inside and w not in came:
                    came[w] = v
                    nxt.append(w)
        frontier = nxt
    return (start,)


def _structure(fw: Framework, effects: dict[str, list[Change]] | None, limit: int = 25) -> Structure:
    model = fw.model
    children = _support_children(fw)
    components = components_in_order(children)
    cycles = sorted(
        tuple(fw.iris[x] for x in _one_cycle(children, comp))
        for comp in components
        if len(comp) > 1 or comp[0] in children[comp[0]]
    )
    load = []
    for evidence, changes in (effects or {}).items():
        lost = tuple(
            c.iri for c in changes if c.what.startswith("loses all") and model.nodes[c.iri].kind in STATEMENT_KINDS
        )
        if lost:
            load.append((evidence, lost))
    load.sort(key=lambda t: (-len(t[1]), fw.index[t[0]]))
    # longest support chains from evidence to a thesis: longest paths on the components (sinks first)
    theses = {fw.index[n.iri] for n in model.theses() if n.iri in fw.index}
    chains: list[tuple[str, ...]] = []
    if theses:
        comp_of = [0] * len(fw.iris)
        for k, comp in enumerate(components):
            for x in comp:
                comp_of[x] = k
        best: dict[int, tuple[int, int]] = {}  # component -> (steps to a thesis, next component or -1)
        for k in range(len(components) - 1, -1, -1):
            comp = components[k]
            if theses.intersection(comp):
                best[k] = (0, -1)
                continue
            options = {(best[comp_of[w]][0] + 1, -comp_of[w]) for x in comp for w in children[x] if comp_of[w] in best}
            if options:
                steps, nxt = max(options)
                best[k] = (steps, -nxt)
        starts = [x for x in range(len(fw.iris)) if model.nodes[fw.iris[x]].kind == "evidence" and comp_of[x] in best]
        starts.sort(key=lambda x: (-best[comp_of[x]][0], x))
        for x in starts[:limit]:
            path = [fw.iris[x]]
            k = comp_of[x]
            while best[k][1] != -1:
                k = best[k][1]
                path.append(fw.iris[components[k][0]])
            chains.append(tuple(path))
    return Structure(tuple(cycles), tuple(load[:limit]), tuple(chains))


# ------------------------------------------------------------------------------------------- the API
def _check_semantics(semantics: str) -> None:
    if semantics not in SEMANTICS:
        raise ReasoningError(f"unknown semantics {semantics!r}: choose one of {', '.join(SEMANTICS)}")


def _fixed(fw: Framework, retract: Iterable[str]) -> tuple[set[int], set[int]]:
    targets = {fw.index[i] for i in retract_targets(fw.model, retract)}
    return set(fw.withdrawn) | targets, targets


def analyse(
    model: Model,
    semantics: str = "grounded",
    retract: Sequence[str] = (),
    as_of: dt.date | str | None = None,
    stale_after: int = 12,
    framework: Framework | None = None,
    load_bearing: bool = True,
) -> Analysis:
    """The status of every statement, evidence item and inference, and the evidence health and structure.

    `retract`: IRIs of items (or sources, meaning all their evidence) to treat as retracted; the result's
    `changes` say what that changes against the data as it stands. `as_of` (a date, ISO text, default today)
    and `stale_after` (months) decide which figures are stale. `load_bearing=False` skips the per-evidence
    what-if behind the "most load-bearing evidence" list.
    """
    _check_semantics(semantics)
    if stale_after < 0:
        raise ReasoningError("--stale-after must be 0 or more months")
    when = _as_date(as_of)
    fw = framework or Framework(model)
    fixed, targets = _fixed(fw, retract)
    labellings = fw.label(semantics, fixed)
    final, status = _statuses(fw, labellings, semantics, fixed, targets)
    changes: list[Change] = []
    if targets:
        base_fixed = set(fw.withdrawn)
        before = _aggregate(fw.label(semantics, base_fixed), len(fw.iris))
        changes = _changes(fw, before, final, targets)
    health, flags = _health(fw, when, stale_after)
    effects = retraction_effects(model, semantics=semantics, framework=fw) if load_bearing else None
    structure = _structure(fw, effects)
    return Analysis(
        semantics=semantics,
        status=status,
        labellings=len(labellings),
        retracted=tuple(fw.iris[t] for t in sorted(targets)),
        as_of=when.isoformat(),
        stale_after=stale_after,
        health=health,
        structure=structure,
        changes=tuple(changes),
        names=fw.names,
        _flags={iri: tuple(sorted(f)) for iri, f in sorted(flags.items())},
    )


def _as_date(as_of: dt.date | str | None) -> dt.date:
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.date):
        return as_of
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        raise ReasoningError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None


def statuses(model: Model, semantics: str = "grounded", framework: Framework | None = None) -> dict[str, Value]:
    """Just the status value of every item (no reasons, health or structure): what `argmap diff` compares."""
    _check_semantics(semantics)
    fw = framework or Framework(model)
    final = _aggregate(fw.label(semantics, set(fw.withdrawn)), len(fw.iris))
    return {iri: _VALUE[final[x]] for x, iri in enumerate(fw.iris)}


def what_if(
    model: Model,
    retract: Sequence[str] = (),
    semantics: str = "grounded",
    framework: Framework | None = None,
    **_: object,
) -> list[Change]:
    """What retracting these items (IRIs; a source stands for all its evidence) changes, cause before effect.
    Other keywords of `analyse` (as_of, stale_after) are accepted and do not matter here."""
    _check_semantics(semantics)
    fw = framework or Framework(model)
    base_fixed = set(fw.withdrawn)
    fixed, targets = _fixed(fw, retract)
    before = _aggregate(fw.label(semantics, base_fixed), len(fw.iris))
    after = _aggregate(fw.label(semantics, fixed), len(fw.iris))
    return _changes(fw, before, after, targets)


def retraction_effects(
    model: Model, semantics: str = "grounded", framework: Framework | None = None, **_: object
) -> dict[str, list[Change]]:
    """For every piece of evidence, what retracting it alone would change (see `what_if`); evidence whose
    retraction changes nothing maps to []. Each what-if relabels only what lies downstream and stops where a
    label does not change, so the whole map costs little more than one analysis on an acyclic framework."""
    _check_semantics(semantics)
    fw = framework or Framework(model)
    base_fixed = set(fw.withdrawn)
    labellings = fw.label(semantics, base_fixed)
    before = _aggregate(labellings, len(fw.iris))
    single = len(labellings) == 1 and (semantics == "grounded" or not any(fw.cyclic(c) for c in fw.components))
    effects: dict[str, list[Change]] = {}
    for x, iri in enumerate(fw.iris):
        if fw.model.nodes[iri].kind != "evidence":
            continue
        if x in base_fixed:
            effects[iri] = []
            continue
        fixed = base_fixed | {x}
        if single:
            after, changed = _incremental(fw, before, fixed, [x])
            effects[iri] = _changes(fw, before, after, {x}, changed | {x})
        else:
            after = _aggregate(fw.label(semantics, fixed), len(fw.iris))
            effects[iri] = _changes(fw, before, after, {x})
    return effects


__all__ = [
    "FLAGS",
    "SEMANTICS",
    "Analysis",
    "Change",
    "Framework",
    "Health",
    "ReasoningError",
    "Status",
    "Structure",
    "analyse",
    "find_items",
    "parse_date",
    "retract_targets",
    "retraction_effects",
    "display_names",
    "short_name",
    "statuses",
    "what_if",
]


# ------------------------------------------------------------------------------------------- finding items
def find_items(store: object, model: Model, refs: Sequence[str]) -> list[str]:
    """The IRIs `--retract` references name, found with the item finder of `argmap new` (`argmap.new.resolve`):
    a prefixed name, an IRI, an outline id (R3d) or figure id (F2: every figure with that id), or search words
    that match exactly one item. ReasoningError (one line, with close matches) for anything else."""
    import difflib

    from .errors import ContributionError
    from .new import Items, resolve

    items = Items(store)  # type: ignore[arg-type]
    classes = ("Statement", "Evidence", "Inference", "Source", "Document")
    found: list[str] = []
    for ref in refs:
        try:
            candidates = resolve(items, ref, *classes)
        except ContributionError as exc:
            raise ReasoningError(f"--retract {ref}: {exc}") from None
        wanted = ref.strip().casefold()
        exact = [
            c
            for c in candidates
            if (node := model.node(c.iri)) is not None
            and wanted in {(node.outline_id or "").casefold(), (node.figure_id or "").casefold()}
        ]
        if len(candidates) == 1 or (candidates and len(exact) == len(candidates)):
            found.extend(c.iri for c in candidates)
            continue
        if candidates:
            listed = ", ".join(c.curie for c in candidates[:8]) + (", …" if len(candidates) > 8 else "")
            raise ReasoningError(f"--retract {ref!r} matches {len(candidates)} items ({listed}); give one of them")
        pool = [n for n in model.nodes.values() if n.kind in ITEM_KINDS | {"source"}]
        names = sorted({n.outline_id or n.figure_id or "" for n in pool} - {""}) + sorted(curie(n.iri) for n in pool)
        near = difflib.get_close_matches(ref.strip(), names, n=3, cutoff=0.6)
        hint = (
            f"; did you mean {', '.join(near)}?" if near else "; give a prefixed name, an IRI, an outline or figure id"
        )
        raise ReasoningError(f"--retract {ref!r} names no statement, evidence, inference or source{hint}")
    return sorted(set(found))
