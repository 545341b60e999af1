"""The people's yearly rules written the plain Mesa way, next to the vectorised functions.

One year of the persons' own decisions on one population snapshot:

- **track** (15-year-olds): P(中职) = σ(intercept + β·drivers),
  ``education.choose_vocational_track``;
- **field**: 中职 applicants rank programmes by utility + Gumbel noise and are seated by a
  deferred acceptance in six rounds (``education.programme_utilities``, ``assign_programmes``);
- **progression** (final-year 中职 / 高职 / 本科 students): continue with
  ``education.continue_probability``;
- **the employed**: skill growth (``skills.grow_skills``); on-the-job search with probability
  ``labour_market.on_the_job_search`` at a reservation wage of their wage · (1 +
  ``job_to_job_gain``) (as ``processes.labour_market.clear``); and the yearly stay-or-leave
  decision of a settled worker, valuing their wage plus any running talent allowance, with
  ``employed_attachment`` (``migration.stay_probability(..., settled)``);
- **migration** (unemployed): stay with ``migration.stay_probability``, leavers choose a
  destination (``migration.choose_destination``).

:func:`vectorised_year` calls the model's own vectorised functions on numpy arrays.
:class:`PlainPeopleModel` is the textbook Mesa idiom: one :class:`Person` (``mesa.Agent``) per
person with a ``step()`` applying the same equations with the same parameters in scalar Python,
run by ``model.agents.shuffle_do("step")``; the seats are then allocated by the same deferred
acceptance in plain Python. Both return the same aggregates, compared by :func:`compare`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from talentsim.config.schema import CityConfig
from talentsim.model import TalentModel, education, skills
from talentsim.model.processes import admissions, migration
from talentsim.model.states import MARKET_LEVEL, STUDY_YEARS, Stage

NONE, COHORT, COMPLETER, EMPLOYED, DECIDER = range(5)
"""A person's role this year: which rule applies to them."""

COMPLETING = (Stage.ZHONGZHI, Stage.GAOZHI, Stage.BENKE)
RANKS = 6
"""Choices each applicant ranks (as ``education.assign_programmes``)."""


@dataclass
class Snapshot:
    """One population and every input of the people's rules, as numpy arrays.

    Per person (n): role, ability, family, district, stage, in_field, skill_general,
    skill_field, reference (wage), local (income: the unemployed's, or an employed worker's
    wage plus running allowance), wage, migrant. Per programme (P): log_wage,
    placement, quality, tech, log_points, seats, school_district, field. Per district (D):
    peer (track-choice peer driver), distance (D, P) and peer_field (D, P).
    """

    config: CityConfig
    role: np.ndarray
    ability: np.ndarray
    family: np.ndarray
    district: np.ndarray
    stage: np.ndarray
    in_field: np.ndarray
    skill_general: np.ndarray
    skill_field: np.ndarray
    reference: np.ndarray
    local: np.ndarray
    wage: np.ndarray
    migrant: np.ndarray
    log_wage: np.ndarray
    placement: np.ndarray
    quality: np.ndarray
    tech: np.ndarray
    log_points: np.ndarray
    seats: np.ndarray
    field: np.ndarray
    distance: np.ndarray
    peer_field: np.ndarray
    peer: np.ndarray
    drivers: dict[str, float]
    leaver_share: float

    def __len__(self) -> int:
        """Number of persons."""
        return len(self.role)


def build_snapshot(config: CityConfig, scale: float, seed: int = 1, warmup: int = 2) -> Snapshot:
    """The city at ``scale`` after ``warmup`` years, plus a new cohort of 15-year-olds."""
    model = TalentModel(config.model_copy(update={"scale": scale}), rng=seed)
    for _ in range(warmup):
        model.step()
    state, p, table = model.state, model.people, model.firm_table
    structure, signals = state.structure, state.signals
    rng = np.random.default_rng(seed + 1)
    n_cohort = state.count(config.city.cohort_size)
    length = np.array([STUDY_YEARS[Stage(s)] for s in range(5)] + [99] * (len(Stage) - 5))
    completing = np.isin(p.stage, COMPLETING) & (p.years_in_stage + 1 >= length[p.stage])
    role = np.select(
        [completing, p.stage == Stage.EMPLOYED, p.stage == Stage.UNEMPLOYED],
        [COMPLETER, EMPLOYED, DECIDER],
        NONE,
    )
    employed = p.stage == Stage.EMPLOYED
    in_field = employed & (p.field == table.field[np.maximum(p.employer, 0)])
    level = p.level.astype(np.int64)
    reference = state.base_wage(MARKET_LEVEL[level]) * structure.premium[np.maximum(p.field, 0)]
    new = p.graduation_year == model.year
    subsidy = np.where(new, state.talent_income(level), 0.0)
    allowance = np.where(p.allowance_years > 0, migration.running_allowance(state, p.level), 0.0)
    local = np.where(
        employed,
        p.wage + allowance,
        config.labour_market.reservation_ratio * 0.5 * reference + subsidy,
    )
    school_of, field_of, seats = admissions.programmes_of(state, Stage.ZHONGZHI)
    school_district = np.array([model.schools[s].district for s in school_of])
    points = np.array(
        [model.schools[s].points[f] for s, f in zip(school_of, field_of, strict=True)]
    )
    drivers, ref = state.choice_drivers(), signals.reference
    cohort_district = rng.choice(structure.n_districts, size=n_cohort, p=structure.cohort_share)

    def with_cohort(live: np.ndarray, cohort: Any) -> np.ndarray:
        return np.concatenate([live, np.broadcast_to(np.asarray(cohort, live.dtype), n_cohort)])

    return Snapshot(
        config=model.config,
        role=with_cohort(role, COHORT),
        ability=with_cohort(p.ability, rng.standard_normal(n_cohort)),
        family=with_cohort(p.family, rng.standard_normal(n_cohort)),
        district=with_cohort(p.district.astype(np.int64), cohort_district),
        stage=with_cohort(p.stage.astype(np.int64), Stage.GENERAL_HS),
        in_field=with_cohort(in_field, False),
        skill_general=with_cohort(p.skill_general, 0.0),
        skill_field=with_cohort(p.skill_field, 0.0),
        reference=with_cohort(reference, 0.0),
        local=with_cohort(local, 0.0),
        wage=with_cohort(p.wage.astype(np.float64), 0.0),
        migrant=with_cohort(p.origin == 1, False),
        log_wage=state.field_log_wage(0)[field_of],
        placement=signals.placement[field_of],
        quality=admissions.programme_quality(state, school_of, field_of, True),
        tech=structure.tech[field_of],
        log_points=np.log(np.maximum(points.astype(float), 1e-9)),
        seats=seats,
        field=field_of,
        distance=structure.distance[:, school_district],
        peer_field=signals.peer_field[:, field_of],
        peer=signals.district_vocational_share - ref["peer"],
        drivers={
            "wage_gap": float(drivers["wage_gap"] - ref["wage_gap"]),
            "admission": float(drivers["admission"] - ref["admission"]),
            Stage.ZHONGZHI: float(drivers["gaozhi_gap"] - ref["gaozhi_gap"]),
            Stage.GAOZHI: float(drivers["benke_gap"] - ref["benke_gap"]),
            Stage.BENKE: float(drivers["graduate_gap"] - ref["graduate_gap"]),
        },
        leaver_share=float(signals.leaver_share),
    )


def progression_intercepts(config: CityConfig) -> dict[int, float]:
    """Continuation intercept by the stage being completed."""
    prog = config.progression
    return {
        Stage.ZHONGZHI: prog.zhongzhi_continue,
        Stage.GAOZHI: prog.gaozhi_upgrade,
        Stage.BENKE: prog.benke_to_graduate,
    }


# ---------------------------------------------------------------------------------- vectorised
def _stay_or_leave(
    s: Snapshot, rng: np.random.Generator, rows: np.ndarray, unemployed: bool, settled: bool | None
) -> tuple[np.ndarray, np.ndarray]:
    """Who of ``rows`` stays (``migration.stay_probability``) and the leavers' destinations."""
    cfg = s.config
    outside = migration.outside_utilities(cfg.migration, cfg.city.destinations, s.reference[rows])
    stay = rng.random(len(rows)) < migration.stay_probability(
        cfg.migration,
        s.local[rows],
        migration.option_value(outside),
        s.migrant[rows],
        np.full(len(rows), unemployed),
        s.leaver_share,
        None if settled is None else np.full(len(rows), settled),
    )
    destination = migration.choose_destination(
        outside[~stay], rng.gumbel(size=outside[~stay].shape)
    )
    return stay, destination


def vectorised_year(s: Snapshot, rng: np.random.Generator) -> dict[str, Any]:
    """The people's rules for one year with the model's vectorised functions."""
    cfg = s.config
    cohort = np.flatnonzero(s.role == COHORT)
    vocational = education.choose_vocational_track(
        rng.random(len(cohort)),
        s.ability[cohort],
        s.family[cohort],
        cfg.track_choice,
        wage_gap=s.drivers["wage_gap"],
        admission_odds=s.drivers["admission"],
        peer_share=s.peer[s.district[cohort]],
    )
    applicants = cohort[vocational]
    utilities = education.programme_utilities(
        cfg.field_choice,
        log_wage=s.log_wage,
        placement=s.placement,
        quality=s.quality,
        distance=s.distance,
        peer_share=s.peer_field,
        ability=s.ability[applicants],
        tech_intensity=s.tech,
        log_points=s.log_points,
        group=s.district[applicants],
    )
    noise = rng.gumbel(size=utilities.shape)
    choice = education.assign_programmes(noise, utilities, s.seats, s.ability[applicants], RANKS)
    continued: dict[int, tuple[int, int]] = {}
    intercepts = progression_intercepts(cfg)
    for stage in COMPLETING:
        rows = np.flatnonzero((s.role == COMPLETER) & (s.stage == stage))
        go_on = rng.random(len(rows)) < education.continue_probability(
            intercepts[stage], s.ability[rows], s.family[rows], s.drivers[stage], cfg.progression
        )
        continued[int(stage)] = (int(go_on.sum()), len(rows))
    employed = np.flatnonzero(s.role == EMPLOYED)
    general, field = skills.grow_skills(
        cfg.skills, s.skill_general[employed], s.skill_field[employed], s.in_field[employed]
    )
    market = cfg.labour_market
    searching = rng.random(len(employed)) < market.on_the_job_search
    reservation = s.wage[employed[searching]] * (1.0 + market.job_to_job_gain)
    employed_stay, employed_destination = _stay_or_leave(
        s, rng, employed, unemployed=False, settled=True
    )
    deciders = np.flatnonzero(s.role == DECIDER)
    stay, destination = _stay_or_leave(s, rng, deciders, unemployed=True, settled=None)
    placed = choice >= 0
    return aggregates(
        cohort=len(cohort),
        vocational=len(applicants),
        programme_field=s.field[choice[placed]],
        n_fields=len(cfg.fields),
        continued=continued,
        skill_general=general,
        skill_field=field,
        deciders=len(deciders),
        stayed=int(stay.sum()),
        destination=destination,
        n_destinations=len(cfg.city.destinations),
        employed_search=(int(searching.sum()), len(employed)),
        reservation_ratio=_ratio(reservation, s.wage[employed[searching]]),
        employed_stayed=int(employed_stay.sum()),
        employed_destination=employed_destination,
    )


def aggregates(
    cohort: int,
    vocational: int,
    programme_field: np.ndarray,
    n_fields: int,
    continued: dict[int, tuple[int, int]],
    skill_general: np.ndarray,
    skill_field: np.ndarray,
    deciders: int,
    stayed: int,
    destination: np.ndarray,
    n_destinations: int,
    employed_search: tuple[int, int],
    reservation_ratio: float,
    employed_stayed: int,
    employed_destination: np.ndarray,
) -> dict[str, Any]:
    """The year's aggregate results, with the counts behind each share."""
    result: dict[str, Any] = {
        "zhongzhi_share": (vocational, cohort),
        "placed_share": (len(programme_field), vocational),
        "field_shares": (np.bincount(programme_field, minlength=n_fields), len(programme_field)),
        "stay_share": (stayed, deciders),
        "destination_shares": (
            np.bincount(destination, minlength=n_destinations),
            len(destination),
        ),
        "mean_skill_general": float(np.mean(skill_general, dtype=np.float64)),
        "mean_skill_field": float(np.mean(skill_field, dtype=np.float64)),
        "on_the_job_search_share": employed_search,
        "employed_stay_share": (employed_stayed, employed_search[1]),
        "employed_destination_shares": (
            np.bincount(employed_destination, minlength=n_destinations),
            len(employed_destination),
        ),
        "on_the_job_reservation_ratio": reservation_ratio,
    }
    for stage, counts in continued.items():
        result[f"continue_share_{Stage(stage).name.lower()}"] = counts
    return result


def _ratio(part: np.ndarray, whole: np.ndarray) -> float:
    """Σ part / Σ whole (0 for an empty group)."""
    total = float(np.sum(whole, dtype=np.float64))
    return float(np.sum(part, dtype=np.float64)) / total if total else 0.0


# ---------------------------------------------------------------------------------- plain Mesa
class Person(mesa.Agent):
    """One person, in the plain Mesa idiom: attributes and a ``step()`` with scalar rules."""

    def __init__(self, model: PlainPeopleModel, **state: Any) -> None:
        """Register the person with ``model``; ``state`` gives role, ability, family, ..."""
        super().__init__(model)
        self.role: int = state["role"]
        self.ability: float = state["ability"]
        self.family: float = state["family"]
        self.district: int = state["district"]
        self.stage: int = state["stage"]
        self.in_field: bool = state["in_field"]
        self.skill_general: float = state["skill_general"]
        self.skill_field: float = state["skill_field"]
        self.reference: float = state["reference"]
        self.local: float = state["local"]
        self.wage: float = state["wage"]
        self.migrant: bool = state["migrant"]
        self.vocational = False
        self.programme = -1
        self.continued = False
        self.stayed = True
        self.destination = -1
        self.searching = False
        self.reservation = 0.0

    def step(self) -> None:
        """This year's decision, by role."""
        if self.role == COHORT:
            self.choose_track()
        elif self.role == COMPLETER:
            self.progress()
        elif self.role == EMPLOYED:
            self.learn()
            self.search()
            self.migrate(unemployed=False, settled=True)
        elif self.role == DECIDER:
            self.migrate(unemployed=True, settled=False)

    def choose_track(self) -> None:
        """普高 or 中职; a 中职 applicant ranks the programmes and applies."""
        m, t = self.model, self.model.config.track_choice
        utility = (
            t.intercept
            + t.beta_ability * self.ability
            + t.beta_family * self.family
            + t.beta_wage * m.drivers["wage_gap"]
            + t.beta_admission * m.drivers["admission"]
            + t.beta_peer * m.peer[self.district]
        )
        self.vocational = self.random.random() < 1.0 / (1.0 + math.exp(-utility))
        if self.vocational:
            m.applications.append((self, self.rank_programmes()))

    def rank_programmes(self) -> list[int]:
        """The best ``RANKS`` programmes with seats by utility plus Gumbel noise."""
        m, f = self.model, self.model.config.field_choice
        distance, peer = m.distance[self.district], m.peer_field[self.district]
        scored = []
        for j in m.open_programmes:
            utility = (
                m.per_programme[j]
                - f.beta_distance * distance[j]
                + f.beta_peer * peer[j]
                + f.ability_match * self.ability * m.tech[j]
            )
            scored.append((utility - math.log(-math.log(1.0 - self.random.random())), j))
        scored.sort(reverse=True)
        return [j for _, j in scored[:RANKS]]

    def progress(self) -> None:
        """Final-year student: continue to the next level or not."""
        m, prog = self.model, self.model.config.progression
        x = (
            m.intercepts[self.stage]
            + prog.beta_ability * self.ability
            + prog.beta_family * self.family
            + prog.beta_wage_gap * m.drivers[self.stage]
        )
        self.continued = self.random.random() < 1.0 / (1.0 + math.exp(-x))

    def learn(self) -> None:
        """A year on the job: general skill grows; specific skill grows in field, decays out."""
        params = self.model.config.skills
        self.skill_general += params.general_growth
        if self.in_field:
            self.skill_field += params.field_growth * (1.0 - self.skill_field / 3.0)
        else:
            self.skill_field *= 1.0 - params.field_decay

    def search(self) -> None:
        """An employed worker looks for a better job this year, or not."""
        market = self.model.config.labour_market
        self.searching = self.random.random() < market.on_the_job_search
        if self.searching:
            self.reservation = self.wage * (1.0 + market.job_to_job_gain)

    def migrate(self, unemployed: bool, settled: bool) -> None:
        """Stay or leave (logit against the outside options); a leaver picks a destination."""
        m, params = self.model, self.model.config.migration
        outside = [
            params.beta_income * math.log(max(self.reference * ratio + amenity, 1.0)) + log_weight
            for ratio, amenity, log_weight in m.destinations
        ]
        top = max(outside)
        logsum = math.log(sum(math.exp(v - top) for v in outside)) + top
        bias = params.migrant_home_bias if self.migrant else params.home_bias
        if settled:
            bias += params.employed_attachment
        utility = (
            params.beta_income * math.log(max(self.local, 1.0))
            - logsum
            + bias
            - (params.unemployed_penalty if unemployed else 0.0)
            - params.network * m.leaver_share
        )
        self.stayed = self.random.random() < 1.0 / (1.0 + math.exp(-utility))
        if not self.stayed:
            noisy = [v - math.log(-math.log(1.0 - self.random.random())) for v in outside]
            self.destination = noisy.index(max(noisy))


class PlainPeopleModel(mesa.Model):
    """The people of a :class:`Snapshot` as one ``mesa.Agent`` each."""

    def __init__(self, snapshot: Snapshot, seed: int = 1) -> None:
        """Create one :class:`Person` per person of ``snapshot`` (plain Python values)."""
        super().__init__(rng=seed)
        s = snapshot
        self.config = s.config
        f = s.config.field_choice
        per_programme = (
            f.beta_wage * s.log_wage
            + f.beta_placement * s.placement
            + f.beta_quality * s.quality
            + s.log_points
        )
        self.per_programme = per_programme.tolist()
        self.tech = s.tech.tolist()
        self.distance = s.distance.tolist()
        self.peer_field = s.peer_field.tolist()
        self.seats = s.seats.tolist()
        self.field = s.field.tolist()
        self.open_programmes = [j for j, seats in enumerate(self.seats) if seats > 0]
        self.peer = s.peer.tolist()
        self.drivers = s.drivers
        self.intercepts = progression_intercepts(s.config)
        self.leaver_share = s.leaver_share
        self.destinations = [
            (d.wage_ratio, d.amenity, math.log(d.weight)) for d in s.config.city.destinations
        ]
        self.applications: list[tuple[Person, list[int]]] = []
        columns = {
            name: getattr(s, name).tolist()
            for name in (
                "role",
                "ability",
                "family",
                "district",
                "stage",
                "in_field",
                "skill_general",
                "skill_field",
                "reference",
                "local",
                "wage",
                "migrant",
            )
        }
        for values in zip(*columns.values(), strict=True):
            Person(self, **dict(zip(columns, values, strict=True)))

    def step(self) -> None:
        """Every person decides (in random order); then the 中职 seats are allocated."""
        self.applications = []
        self.agents.shuffle_do("step")
        self.allocate_seats()

    def allocate_seats(self) -> None:
        """Deferred acceptance in ``RANKS`` rounds, applicants ranked by ability (as numpy)."""
        remaining = list(self.seats)
        pending = self.applications
        for r in range(RANKS):
            by_programme: dict[int, list[Person]] = defaultdict(list)
            for person, choices in pending:
                if r < len(choices):
                    by_programme[choices[r]].append(person)
            rejected = set()
            for j, applicants in by_programme.items():
                applicants.sort(key=lambda person: -person.ability)
                for person in applicants[: remaining[j]]:
                    person.programme = j
                remaining[j] -= min(remaining[j], len(applicants))
                rejected.update(id(person) for person in applicants if person.programme < 0)
            pending = [(person, c) for person, c in pending if id(person) in rejected]

    def results(self) -> dict[str, Any]:
        """The year's aggregates, as :func:`vectorised_year` returns them."""
        people = list(self.agents)
        cohort = [a for a in people if a.role == COHORT]
        applicants = [a for a in cohort if a.vocational]
        placed = [self.field[a.programme] for a in applicants if a.programme >= 0]
        continued = {}
        for stage in COMPLETING:
            rows = [a for a in people if a.role == COMPLETER and a.stage == stage]
            continued[int(stage)] = (sum(a.continued for a in rows), len(rows))
        employed = [a for a in people if a.role == EMPLOYED]
        deciders = [a for a in people if a.role == DECIDER]
        return aggregates(
            cohort=len(cohort),
            vocational=len(applicants),
            programme_field=np.array(placed, dtype=np.int64),
            n_fields=len(self.config.fields),
            continued=continued,
            skill_general=np.array([a.skill_general for a in employed]),
            skill_field=np.array([a.skill_field for a in employed]),
            deciders=len(deciders),
            stayed=sum(a.stayed for a in deciders),
            destination=np.array([a.destination for a in deciders if not a.stayed], dtype=int),
            n_destinations=len(self.destinations),
            employed_search=(sum(a.searching for a in employed), len(employed)),
            reservation_ratio=_ratio(
                np.array([a.reservation for a in employed if a.searching]),
                np.array([a.wage for a in employed if a.searching]),
            ),
            employed_stayed=sum(a.stayed for a in employed),
            employed_destination=np.array(
                [a.destination for a in employed if not a.stayed], dtype=int
            ),
        )


# ---------------------------------------------------------------------------------- comparison
def compare(
    vectorised: dict[str, Any], plain: dict[str, Any], z: float = 4.0
) -> list[dict[str, Any]]:
    """Are the two implementations' aggregates statistically the same?

    Shares (successes, trials) pass when they differ by less than ``z`` standard errors of the
    difference of two binomial proportions; for share vectors (fields, destinations) each
    entry is tested so and the row reports the entry furthest out; mean skills (deterministic
    rules: mean skills, the searchers' total reservation wage over their total wage) pass
    when within 1e-4 (float32 against float64).
    """
    rows = []
    for key, a in vectorised.items():
        b = plain[key]
        if isinstance(a, tuple):
            (k1, n1), (k2, n2) = a, b
            k1, k2 = np.atleast_1d(k1), np.atleast_1d(k2)
            p1, p2 = k1 / max(n1, 1), k2 / max(n2, 1)
            pooled = (k1 + k2) / max(n1 + n2, 1)
            variance = pooled * (1 - pooled) * (1 / max(n1, 1) + 1 / max(n2, 1))
            se = np.sqrt(np.maximum(variance, 1e-12))
            worst = int(np.argmax(np.abs(p1 - p2) / se))
            label = key if len(k1) == 1 else f"{key}[{worst}] (worst entry)"
            rows.append(
                {
                    "metric": label,
                    "vectorised": float(p1[worst]),
                    "plain": float(p2[worst]),
                    "tolerance": float(z * se[worst]),
                    "ok": bool((np.abs(p1 - p2) <= z * se).all()),
                }
            )
        else:
            rows.append(
                {
                    "metric": key,
                    "vectorised": a,
                    "plain": b,
                    "tolerance": 1e-4,
                    "ok": abs(a - b) <= 1e-4,
                }
            )
    return rows


def population_summary(s: Snapshot) -> dict[str, int]:
    """How many persons each rule applies to."""
    names = {NONE: "idle", COHORT: "cohort", COMPLETER: "completers", EMPLOYED: "employed"}
    names[DECIDER] = "unemployed"
    counts = np.bincount(s.role, minlength=5)
    return {"persons": len(s), **{names[r]: int(counts[r]) for r in range(5)}}


__all__ = [
    "PlainPeopleModel",
    "Snapshot",
    "build_snapshot",
    "compare",
    "population_summary",
    "vectorised_year",
]
