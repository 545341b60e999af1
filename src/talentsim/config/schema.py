"""Pydantic schemas of a city scenario: the city, its people, institutions and policy levers.

Every numeric parameter is declared with :func:`param`, which records its unit and source next
to its default and range; docs/ODD.md's parameter tables are generated from these records
(``talentsim.config.reference``), so the schema is the single place a parameter is described.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

LEVELS = ("secondary", "gaozhi", "benke", "graduate")
"""Labour-market levels: 中职/普高 graduates, 高职 (associate), 本科 (bachelor), 研究生."""
MAX_MONEY = 1e12
"""Upper bound of a money parameter without a stated one (RMB: a city budget is far below)."""
MAX_COUNT = 100_000_000
"""Upper bound of a count parameter without a stated one (persons, firms, places, ...)."""
MIN_SCALED_COHORT = 50
"""Persons a simulated birth cohort needs at least (``city.cohort_size`` × ``scale``)."""
MIN_SCALED_FIRMS = 10
"""Firms the simulated city needs at least (all firms × ``scale``)."""


def param(
    default: Any,
    unit: str,
    source: str,
    *,
    plausible: tuple[float, float] | None = None,
    **constraints: Any,
) -> Any:
    """A documented parameter: default, unit and source (or stated assumption) plus bounds.

    Args:
        default: The default value.
        unit: Unit of measurement ("RMB/yr", "share", "1" for dimensionless, ...).
        source: Where the default comes from, or "assumption: why".
        plausible: ``(low, high)`` for a parameter without a firm source: it is a declared
            uncertainty, and designs that ask for the declared uncertainties vary it over this
            range (:func:`talentsim.config.reference.declared_uncertainties`).
        **constraints: pydantic bounds such as ``ge``, ``le``, ``gt``. A money parameter
            (unit in RMB) or a count (a whole number with a unit) without an upper bound gets
            :data:`MAX_MONEY` or :data:`MAX_COUNT`.

    """
    if "le" not in constraints and "lt" not in constraints:
        if "RMB" in unit:
            constraints["le"] = MAX_MONEY
        elif isinstance(default, int) and not isinstance(default, bool) and unit != "1":
            constraints["le"] = MAX_COUNT
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if plausible is not None:
        low, high = plausible
        if not low <= default <= high or low == high:
            raise ValueError(f"plausible range {plausible} must be an interval around {default}")
        extra["plausible"] = [low, high]
    return Field(default, json_schema_extra=extra, **constraints)


class Strict(BaseModel):
    """Base of every config section: unknown keys are errors; assignments are validated."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, allow_inf_nan=False, strict=True
    )
    """Strict: ``true`` is not 1 and ``'0.01'`` is not a number; ``.inf`` and ``.nan`` are
    refused everywhere."""


class FieldSpec(Strict):
    """A specialty/industry field: one of the city's industry chains."""

    name: str
    label_zh: str = ""
    employment_share: float = param(0.08, "share", "assumption: Zibo industry structure", gt=0)
    wage_premium: float = param(1.0, "ratio", "assumption: relative sector wage", gt=0, le=3)
    demand_growth: float = param(0.0, "1/yr", "assumption: industry-chain trend", ge=-0.2, le=0.3)
    tech_intensity: float = param(
        0.5, "share", "assumption: share of demand above secondary", ge=0, le=1
    )
    industrial: bool = True


class DistrictSpec(Strict):
    """A district (区) or county (县) of the city."""

    name: str
    kind: Literal["district", "county"] = "district"
    cohort_share: float = param(0.125, "share", "Zibo statistical yearbook (approx.)", gt=0)
    distance_km: float = param(20.0, "km", "map distance to Zhangdian centre", ge=0, le=200)


class Destination(Strict):
    """An outside destination graduates can move to."""

    name: str
    wage_ratio: float = param(1.2, "ratio", "assumption: wage relative to Zibo", gt=0, le=5)
    amenity: float = param(
        0.0, "RMB/yr", "assumption: amenity value relative to Zibo", ge=-200_000, le=200_000
    )
    weight: float = param(1.0, "1", "assumption: destination popularity", gt=0)


class BaseWage(Strict):
    """Starting wage of each labour-market level; a scenario may override one level alone."""

    secondary: float = param(
        48_000, "RMB/yr", "assumption: Zibo starting wages by level (2023 survey)", gt=0
    )
    gaozhi: float = param(58_000, "RMB/yr", "assumption: as secondary", gt=0)
    benke: float = param(75_000, "RMB/yr", "assumption: as secondary", gt=0)
    graduate: float = param(105_000, "RMB/yr", "assumption: as secondary", gt=0)

    def __getitem__(self, level: str) -> float:
        """The wage of ``level`` (one of :data:`LEVELS`), as the model reads it."""
        if level not in LEVELS:
            raise KeyError(level)
        return float(getattr(self, level))


class CitySpec(Strict):
    """Demography, wages and the outside world."""

    name: str = "Zibo"
    start_year: int = param(
        2024, "year", "first reported year (the burn-in runs before it)", ge=2000, le=2100
    )
    cohort_size: int = param(
        38_000,
        "persons/yr",
        "assumption: ~0.8 % of 4.71 M residents turn 15 each year (Zibo 2022 population)",
        ge=1,
    )
    cohort_growth: float = param(
        -0.01, "1/yr", "assumption: falling birth cohorts", ge=-0.2, le=0.2
    )
    initial_workforce: int = param(
        450_000, "persons", "assumption: employment in modelled above-scale employers", ge=1
    )
    retirement_age: int = param(60, "years", "statutory retirement age (men)", ge=45, le=75)
    base_wage: BaseWage = Field(default_factory=lambda: BaseWage())
    graduate_inflow: int = param(
        19_000,
        "persons/yr",
        "~18,900 graduates came to Zibo in 2020 (primary source untraced, ODD §10)",
        ge=0,
    )
    inflow_higher_share: float = param(
        0.37, "share", "7,000+ of 18,900 with 本科 or above", ge=0, le=1
    )
    inflow_elasticity: float = param(
        1.5, "1", "assumption: inflow response to relative attractiveness", ge=0, le=10
    )
    destinations: list[Destination] = Field(
        min_length=1,
        default_factory=lambda: [
            Destination(name="Jinan", wage_ratio=1.15, amenity=6_000, weight=1.0),
            Destination(name="Qingdao", wage_ratio=1.25, amenity=10_000, weight=0.8),
            Destination(name="elsewhere", wage_ratio=1.35, amenity=0.0, weight=1.2),
        ],
    )


class TrackChoice(Strict):
    """Track choice at 15: general high school (普高) versus 中职 (logit)."""

    intercept: float = param(
        -0.15, "logit", "calibrated: ~45 % of a cohort enters 中职", ge=-10, le=10
    )
    beta_ability: float = param(
        -1.2,
        "logit per SD",
        "assumption: 中考 sorting by ability",
        ge=-10,
        le=10,
        plausible=(-2.0, -0.6),
    )
    beta_family: float = param(
        -0.5,
        "logit per SD",
        "assumption: richer families prefer 普高",
        ge=-10,
        le=10,
        plausible=(-1.0, 0.0),
    )
    beta_wage: float = param(
        2.0, "logit per log-wage", "Tarvid 2015: expected-wage logit", ge=0, le=20
    )
    beta_admission: float = param(
        1.0, "logit per share", "Daemen & Leoni 2025: 职教高考 odds", ge=0, le=20
    )
    beta_peer: float = param(
        1.0, "logit per share", "De Giorgi et al. 2009: peer share", ge=0, le=20
    )
    placement_floor: float = param(
        0.5,
        "share",
        "assumption: expected employment of the vocational path is floor + (1 − floor)·mean "
        "in-field placement (an out-of-field job still pays)",
        plausible=(0.3, 0.7),
        ge=0,
        le=1,
    )


class FieldChoice(Strict):
    """Programme (school × field) choice: multinomial logit."""

    beta_wage: float = param(3.0, "per log-wage", "Tarvid 2015", ge=0, le=50)
    beta_placement: float = param(
        2.0, "per share", "assumption: placement rate matters", ge=0, le=50, plausible=(1.0, 4.0)
    )
    beta_quality: float = param(
        1.0,
        "per unit quality",
        "assumption: equipment/programme quality",
        ge=0,
        le=50,
        plausible=(0.5, 2.0),
    )
    beta_distance: float = param(
        0.03,
        "per km",
        "assumption: travel cost of a school away from home district",
        ge=0,
        le=5,
        plausible=(0.01, 0.06),
    )
    beta_peer: float = param(1.5, "per share", "De Giorgi et al. 2009", ge=0, le=50)
    ability_match: float = param(
        0.5,
        "per SD",
        "assumption: comparative advantage noise scale",
        ge=0,
        le=10,
        plausible=(0.25, 1.0),
    )
    signal_weight: float = param(
        0.5,
        "share",
        "assumption: weight of this year's observation in the smoothed placement and peer "
        "signals (students hear of the last two or three cohorts)",
        plausible=(0.3, 0.8),
        gt=0,
        le=1,
    )
    ranks: int = param(
        6,
        "programmes",
        "assumption: programmes a student lists (志愿 of a 中考/高考 form)",
        ge=1,
        le=50,
    )


class Progression(Strict):
    """Continuation after 中职, 普高, 高职 and 本科 (logits on ability and family resources)."""

    zhongzhi_continue: float = param(
        0.95,
        "logit",
        "calibrated: ~65 % of 中职 graduates continue (CIEFR 2020); docs/calibration.md",
        ge=-10,
        le=10,
    )
    zhongzhi_benke_seats: int = param(
        730,
        "seats/yr",
        "本科 seats open to 职教高考 candidates (city scale): set so that ~10 % of the continuing "
        "中职 graduates reach 本科 in the baseline, as reported (primary source untraced, ODD "
        "§10); candidates compete for them by exam score",
        ge=0,
    )
    exam_noise: float = param(
        0.5,
        "SD of score per SD of ability",
        "assumption: exam score = ability + noise (职教高考 and 专升本 rank by score)",
        plausible=(0.2, 1.0),
        ge=0,
        le=5,
    )
    leftover_migrant_share: float = param(
        0.9,
        "share",
        "assumption: 高职 colleges and universities recruit province-wide: in-migrants among the "
        "students who fill seats left over",
        plausible=(0.7, 1.0),
        ge=0,
        le=1,
    )
    general_to_university: float = param(
        0.9, "share", "assumption: 普高 graduates entering higher education", ge=0, le=1
    )
    general_benke_share: float = param(
        0.55,
        "share",
        "assumption: of those, share admitted to 本科 (rest 高职)",
        ge=0,
        le=1,
        plausible=(0.45, 0.65),
    )
    general_local_share: float = param(
        0.25, "share", "assumption: share studying in the city", ge=0, le=1, plausible=(0.15, 0.35)
    )
    gaozhi_upgrade: float = param(
        -1.2, "logit", "assumption: ~25 % 专升本", ge=-10, le=10, plausible=(-1.6, -0.8)
    )
    benke_to_graduate: float = param(
        -1.6, "logit", "assumption: ~17 % go on to 研究生", ge=-10, le=10, plausible=(-2.0, -1.2)
    )
    beta_ability: float = param(
        0.8, "logit per SD", "assumption", ge=-10, le=10, plausible=(0.4, 1.2)
    )
    beta_family: float = param(
        0.4, "logit per SD", "assumption", ge=-10, le=10, plausible=(0.2, 0.6)
    )
    beta_wage_gap: float = param(
        1.5,
        "logit per log-wage",
        "assumption: returns to the next level",
        ge=0,
        le=20,
        plausible=(0.5, 2.5),
    )


class Migration(Strict):
    """Stay or leave: utility of the local offer versus the best outside destination (logit)."""

    beta_income: float = param(2.5, "per log-income", "Gürsoy & Badur: utility gap", ge=0, le=50)
    home_bias: float = param(
        4.4,
        "logit",
        "calibrated: ~70 % of local-born graduates of local institutions stay in the city "
        "(Shandong keeps 82.56 % in the province, 2020); docs/calibration.md",
        ge=-10,
        le=10,
    )
    migrant_home_bias: float = param(
        1.6,
        "logit",
        "assumption: in-migrants are less attached; calibrated (by hand) with "
        "unemployed_income_share so that unemployment stays ~3-5 %",
        ge=-10,
        le=10,
    )
    network: float = param(
        0.5,
        "logit per share",
        "assumption: network of earlier leavers",
        ge=0,
        le=10,
        plausible=(0.0, 1.0),
    )
    unemployed_penalty: float = param(
        0.0,
        "logit",
        "calibrated (by hand): beyond their lower income (unemployed_income_share), being "
        "unemployed does not push people out; most keep searching at home",
        ge=0,
        le=10,
    )
    unemployed_income_share: float = param(
        1.0,
        "share of the reservation wage",
        "assumption: what an unemployed person lives on while searching (family support, "
        "informal work, benefits)",
        ge=0,
        le=2,
        plausible=(0.6, 1.2),
    )
    employed_attachment: float = param(
        4.0,
        "logit",
        "assumption: attachment of an employed worker to the city beyond the home bias (job, "
        "tenure, family); set so that ~1 %/yr of the employed leave in the baseline",
        ge=-10,
        le=10,
        plausible=(3.0, 5.0),
    )
    inflow_benke_share: float = param(
        0.85,
        "share",
        "assumption: 本科 among in-migrating graduates with 本科 or above (rest 研究生)",
        plausible=(0.75, 0.95),
        ge=0,
        le=1,
    )
    inflow_gaozhi_share: float = param(
        0.6,
        "share",
        "assumption: 高职 among the other in-migrating graduates (rest 中职)",
        plausible=(0.4, 0.8),
        ge=0,
        le=1,
    )
    inflow_min_age: int = param(19, "years", "assumption: youngest arriving graduate", ge=15, le=40)
    inflow_max_age: int = param(26, "years", "assumption: oldest arriving graduate", ge=15, le=40)


class Skills(Strict):
    """On-the-job learning of general and field-specific skill (Eurace@Unibi style)."""

    general_growth: float = param(
        0.03, "skill units/yr", "assumption", ge=0, le=1, plausible=(0.01, 0.05)
    )
    field_growth: float = param(
        0.08, "skill units/yr", "Dawid et al.: specific skill on the job", ge=0, le=1
    )
    field_decay: float = param(
        0.05,
        "share/yr",
        "assumption: out-of-field skill obsolescence",
        ge=0,
        le=1,
        plausible=(0.02, 0.1),
    )
    apprenticeship_boost: float = param(
        0.25, "skill units", "assumption: 中国式学徒制 year", ge=0, le=2, plausible=(0.1, 0.4)
    )
    school_field_skill: float = param(
        0.3,
        "skill units",
        "assumption: field skill at graduation per unit of equipment quality",
        ge=0,
        le=2,
        plausible=(0.15, 0.45),
    )
    shared_base_boost: float = param(
        0.15,
        "skill units",
        "assumption: field skill from a final year of practical training in a shared training "
        "base (实训基地): below an apprenticeship's, since no firm's own process is learned",
        plausible=(0.05, 0.25),
        ge=0,
        le=2,
    )
    graduate_general_skill: float = param(
        0.05,
        "skill units",
        "assumption: general skill gained in a programme's final year",
        plausible=(0.0, 0.1),
        ge=0,
        le=1,
    )
    general_weight: float = param(
        0.5,
        "productivity per skill unit",
        "assumption: weight of general skill in a worker's productivity",
        plausible=(0.3, 0.7),
        ge=0,
        le=5,
    )
    out_of_field_fit: float = param(
        0.3,
        "share",
        "assumption: share of field skill that counts in a job out of field (Dawid et al.: "
        "specific skill fits the firm's technology)",
        plausible=(0.1, 0.5),
        ge=0,
        le=1,
    )
    field_ceiling: float = param(
        3.0,
        "skill units",
        "assumption: saturation level of field skill on the job",
        plausible=(2.0, 4.0),
        gt=0,
        le=20,
    )
    wage_per_skill: float = param(
        0.2,
        "relative wage per skill unit",
        "assumption: wage rise per unit of skill learned on the job (~2-3 %/yr of experience "
        "with the growth rates above)",
        plausible=(0.1, 0.3),
        ge=0,
        le=2,
    )


class LabourMarket(Strict):
    """Multi-round matching of job seekers and vacancies."""

    rounds: int = param(
        1,
        "rounds",
        "calibrated (by hand): with one contact and one application a round and urn-ball "
        "slots, one round a year leaves ~7 % unemployed at year end (unemployment_rate band "
        "3-8 %); more rounds fill more slots but lower the elasticity to seekers",
        ge=1,
        le=20,
    )
    applications: int = param(
        1, "applications/round", "calibrated (by hand), with rounds and contacts", ge=1, le=20
    )
    reservation_ratio: float = param(
        0.65,
        "ratio",
        "calibrated (by hand): reservation wage / base wage, low enough that low-wage fields "
        "(agriculture, wage premium 0.8) can hire",
        ge=0,
        le=2,
    )
    contacts: int = param(
        1,
        "vacancies/round",
        "calibrated (by hand): open vacancy cells a seeker learns of in a round (search "
        "friction), with rounds and applications",
        ge=1,
        le=50,
    )
    own_field_contacts: float = param(
        0.7,
        "share",
        "fitted (ABC-SMC, docs/calibration.md; the baseline's value is in "
        "configs/calibration/fitted.yaml): share of a seeker's contacts in their own field "
        "(with in_field_priority, sets the in-field rates by level)",
        ge=0,
        le=1,
    )
    own_field_contacts_gaozhi: float = param(
        0.7,
        "share",
        "fitted (ABC-SMC, docs/calibration.md; the baseline's value is in "
        "configs/calibration/fitted.yaml): share of a 高职 graduate's contacts in their own "
        "field. Assumption: 高职 graduates' search runs less through their major than 本科 "
        "graduates' (MyCOS annual reports: 62 % of employed 高职 and 71 % of 本科 graduates "
        "work in a job related to their major; at one share for all levels the model's 高职 "
        "rate is the highest, its 高职 market being the most crowded)",
        ge=0,
        le=1,
    )
    entrant_search_multiple: int = param(
        1,
        "multiple",
        "assumption: k times the contacts and applications a round for the year's graduates "
        "and in-migrants (campus recruitment fairs, 校园招聘, could make them search harder "
        "than the other unemployed); 1 in the baseline: with k = 2 the annual fill rate is "
        "0.89 and the matching function's elasticity to seekers 0.3, below the 0.5-0.7 of "
        "Petrongolo & Pissarides 2001 (docs/labour_market.md)",
        ge=1,
        le=10,
        plausible=(1, 4),
    )
    other_employers_hiring: float = param(
        0.5,
        "probability/yr",
        "assumption: the modelled firms hold ~18 % of Zibo's jobs (450 k of ~2.45 M: 4.71 M "
        "residents × 0.52 employed per resident, China 2022, NBS), but every local graduate "
        "and in-migrant seeks work in them; a seeker the modelled market leaves unmatched "
        "finds work with the city's other employers (public units, services, small private "
        "firms) in the year with this probability (no source: fitted to employment_rate, "
        "docs/calibration.md; its uncertainty is the posterior's)",
        ge=0,
        le=1,
    )
    other_employers_wage_ratio: float = param(
        0.8,
        "ratio",
        "assumption: other employers (smaller private units) pay less than the modelled "
        "above-scale employers; China's private-unit average wage is ~0.6 of the non-private "
        "units' (NBS 2022), public units pay about the same",
        ge=0,
        le=2,
        plausible=(0.6, 1.0),
    )
    quit_rate: float = param(
        0.04,
        "1/yr",
        "assumption: quits into unemployment (job-to-job moves are separate)",
        ge=0,
        le=1,
    )
    on_the_job_search: float = param(
        0.1,
        "share/yr",
        "assumption: employed workers searching on the job in a year (China job-to-job "
        "mobility of a few % a year)",
        ge=0,
        le=1,
    )
    on_the_job_cyclicality: float = param(
        1.5,
        "elasticity",
        "assumption: the share searching on the job rises with the year's openings per worker "
        "over the rate workers are used to (job-to-job moves are strongly procyclical: "
        "Fallick & Fleischman 2004); 0 = a fixed share; 1.5 calibrated (by hand) so that the "
        "fit of hires from unemployment on posted vacancies has constant returns within a "
        "scale (docs/labour_market.md)",
        ge=0,
        le=3,
        plausible=(0.75, 2.5),
    )
    on_the_job_adaptation: float = param(
        0.2,
        "weight/yr",
        "assumption: weight of the year's openings rate in the rate workers are used to "
        "(an exponential average, about five years' memory)",
        ge=0,
        le=1,
    )
    job_to_job_gain: float = param(
        0.1,
        "share of wage",
        "assumption: wage gain an employed seeker needs to move (mobility cost)",
        ge=0,
        le=2,
    )
    reservation_decay: float = param(
        0.05,
        "1/yr of unemployment",
        "assumption: the reservation wage falls with unemployment duration (Krueger & Mueller "
        "2016 find it nearly flat; a mild decline)",
        ge=0,
        le=1,
    )
    wage_adjustment: float = param(
        0.15,
        "log-wage per unfilled share",
        "assumption: a firm raises its posted wage at a level by this times the share of its "
        "vacancies there left unfilled above the normal share (wage posting with adjustment)",
        ge=0,
        le=5,
    )
    vacancy_duration_weight: float = param(
        0.5,
        "1 per year open",
        "assumption: each further year a firm's vacancies stay unfilled raises the adjustment",
        ge=0,
        le=5,
    )
    normal_unfilled_share: float = param(
        0.1,
        "share",
        "assumption: share of vacancies a firm expects to leave unfilled at a going wage "
        "(~93 % of vacancies filled within the year)",
        ge=0,
        le=1,
    )
    wage_reversion: float = param(
        0.1,
        "1/yr",
        "assumption: posted-wage markups decay towards the wage schedule each year",
        ge=0,
        le=1,
    )
    layoff_tolerance: float = param(
        0.1,
        "share",
        "assumption: a firm lays off staff at a level only beyond this excess over its "
        "desired employment (labour hoarding)",
        ge=0,
        le=5,
    )
    layoff_share: float = param(
        0.5, "share/yr", "assumption: share of the excess laid off in a year", ge=0, le=1
    )
    out_of_field_discount: float = param(
        0.97,
        "ratio",
        "calibrated (by hand): wage of an out-of-field hire (with in_field_priority, sets 中职 "
        "in-field employment ~76 %)",
        ge=0,
        le=1,
    )
    in_field_priority: float = param(
        0.2,
        "score",
        "calibrated: firms' preference for field match (中职 对口 rate ~76 %)",
        ge=0,
        le=10,
    )
    taste_noise: float = param(
        0.1,
        "log-wage",
        "assumption: scale of a seeker's idiosyncratic taste (Gumbel) for a vacancy next to its "
        "log wage",
        plausible=(0.05, 0.3),
        ge=0,
        le=5,
    )
    merit_noise: float = param(
        0.2,
        "score",
        "assumption: SD of a firm's noise in ranking an applicant (interviews)",
        plausible=(0.1, 0.5),
        ge=0,
        le=5,
    )
    wage_productivity_elasticity: float = param(
        0.3,
        "1",
        "assumption: elasticity of a firm's posted wage to its productivity (firm wage premia "
        "pass through a fraction of productivity; Card, Cardoso, Heining & Kline 2018: ~0.1-0.3)",
        plausible=(0.1, 0.5),
        ge=0,
        le=2,
    )
    markup_min: float = param(
        -0.5,
        "log-wage",
        "assumption: lowest log markup of a posted wage over the schedule (about −40 %)",
        ge=-5,
        le=0,
    )
    markup_max: float = param(
        1.0,
        "log-wage",
        "assumption: highest log markup of a posted wage over the schedule (about +170 %)",
        ge=0,
        le=5,
    )
    max_open_years: int = param(
        10,
        "years",
        "assumption: years of unfilled vacancies beyond which the wage adjustment speeds up no "
        "more",
        ge=0,
        le=100,
    )
    outside_option_weight: float = param(
        0.5,
        "share",
        "assumption: an unemployed seeker turns down a local wage below this share of their "
        "best outside income net of the moving cost (the outside option puts a floor under the "
        "reservation wage as the spell lengthens)",
        plausible=(0.3, 0.7),
        ge=0,
        le=2,
    )
    moving_cost: float = param(
        15_000,
        "RMB/yr",
        "assumption: yearly equivalent of the cost of moving to an outside destination "
        "(travel, housing deposit, lost network)",
        plausible=(5_000, 40_000),
        ge=0,
    )


class SchoolSpec(Strict):
    """A vocational school (中职 or 高职)."""

    name: str
    kind: Literal["zhongzhi", "gaozhi"]
    district: int = param(0, "index", "district where the school stands", ge=0)
    intake: int = param(
        900,
        "students/yr",
        "2,400–3,100 students per district 中职 (primary source untraced, ODD §10)",
        ge=1,
    )
    specialties: int = param(14, "specialty points", "~14 specialties per district 中职", ge=1)
    equipment_per_student: float = param(
        16_000, "RMB", "~16,000 RMB per student (primary source untraced, ODD §10)", ge=0
    )


class ProgrammeReview(Strict):
    """Vocational schools' yearly programme review and equipment."""

    review_lag: int = param(
        2, "years", "Ghaffarzadegan et al. 2017: programmes follow lagged signals", ge=0, le=10
    )
    signal_noise: float = param(
        0.25,
        "SD of log signal",
        "assumption: limited information",
        ge=0,
        le=5,
        plausible=(0.1, 0.5),
    )
    max_changes: int = param(
        2,
        "programmes/yr",
        "Zibo Vocational opened 12 / closed 11 majors in 5 years (~2.4 and ~2.2 a year)",
        ge=0,
        le=20,
    )
    equipment_depreciation: float = param(
        0.12, "1/yr", "assumption: ~8-year equipment life", ge=0, le=1, plausible=(0.08, 0.2)
    )
    equipment_budget: float = param(
        1_500,
        "RMB/student/yr",
        "assumption: government and self-funding",
        ge=0,
        plausible=(1000, 2500),
    )
    equipment_reference: float = param(
        16_000, "RMB/student", "quality 1 = 16,000 RMB of modern equipment per student", gt=0
    )
    max_quality: float = param(
        2.0,
        "× equipment_reference",
        "assumption: equipment beyond twice the reference per student adds no quality",
        plausible=(1.5, 3.0),
        gt=0,
        le=10,
    )
    open_threshold: float = param(
        0.2,
        "log vacancies per graduate",
        "assumption: θ of the review: a signal beyond ±θ opens / closes a point",
        plausible=(0.1, 0.4),
        ge=0,
        le=5,
    )
    min_offered_share: float = param(
        1 / 3,
        "share of fields",
        "assumption: a school keeps offering at least this share of the fields",
        ge=0,
        le=1,
    )
    share_floor: float = param(
        1e-3, "share", "assumption: smoothing of shares in the crowding signal", gt=0, le=0.1
    )
    university_lag: int = param(
        3,
        "years",
        "assumption: universities set 本科/研究生 seats by field on signals of this many years "
        "ago (enrolment plans are filed with the province a year ahead; longer than vocational "
        "schools' review_lag)",
        ge=0,
        le=10,
    )
    university_seat_change: float = param(
        0.03,
        "share/yr",
        "assumption: most a university shifts of a field's seats in a year (province quota)",
        plausible=(0.0, 0.08),
        ge=0,
        le=1,
    )
    university_seat_band: float = param(
        0.3,
        "share",
        "assumption: a university's total seats stay within ±band of its establishment",
        ge=0,
        le=1,
    )


class UniversitySpec(Strict):
    """A university campus in the city."""

    name: str
    benke_intake: int = param(6_000, "students/yr", "assumption", ge=0)
    graduate_intake: int = param(800, "students/yr", "assumption", ge=0)
    research_capacity: float = param(60, "projects/yr", "assumption", ge=0)


class Universities(Strict):
    """Local universities and the pool of partner universities (校城融合)."""

    local: list[UniversitySpec] = Field(default_factory=list)
    partner_pool: int = param(
        40, "universities", "assumption: candidates in Shandong and beyond", ge=0, le=1000
    )
    initial_partners: int = param(
        20, "universities", "20 partner universities (Zibo policy paper, 2023)", ge=0
    )
    formation_rate: float = param(
        0.03, "1/yr", "calibrated: partner circle stays ~20 (Zibo policy paper, 2023)", ge=0, le=1
    )
    lapse_rate: float = param(
        0.08,
        "1/yr",
        "assumption: partners without projects lapse",
        ge=0,
        le=1,
        plausible=(0.04, 0.12),
    )
    partner_capacity: float = param(
        1.0,
        "projects/yr",
        "calibrated: 500+ projects over ~5 years of 校城融合 with 20 partners and the local "
        "universities (Zibo policy paper, 2023)",
        ge=0,
    )
    project_rd: float = param(
        2.0e6,
        "RMB/project",
        "Zibo policy paper (2023): 500+ projects drove 10 亿多元 (1+ bn RMB) of R&D: "
        "~2 M RMB a project",
        ge=0,
    )
    research_budget: float = param(
        7.0e6,
        "RMB/yr per unit of research capacity",
        "calibrated: ~11 % of city R&D outside firms (firms do ~89 %)",
        ge=0,
    )
    transfer_multiplier: float = param(
        20.0,
        "RMB per RMB R&D",
        "Zibo policy paper (2023): 200 多亿元 (20+ bn) of output on 10 亿多元 (1+ bn) of R&D",
        ge=0,
        le=50,
    )
    coordination_formation: float = param(
        2.0,
        "1 per unit of coordination",
        "assumption: partnerships form (1 + this·C) times faster under coordination",
        plausible=(1.0, 3.0),
        ge=0,
        le=20,
    )
    coordination_lapse: float = param(
        0.5,
        "share per unit of coordination",
        "assumption: partnerships lapse (1 − this·C) times as often under coordination",
        plausible=(0.25, 0.75),
        ge=0,
        le=1,
    )
    idle_lapse_floor: float = param(
        0.2,
        "share",
        "assumption: lapse odds of a partner that runs projects, relative to an idle one",
        plausible=(0.1, 0.4),
        ge=0,
        le=1,
    )
    coordination_seek: float = param(
        1.0,
        "1 per unit of coordination",
        "assumption: firms seek university projects (1 + this·C) times as often",
        plausible=(0.5, 1.5),
        ge=0,
        le=10,
    )
    coordination_capacity: float = param(
        0.5,
        "1 per unit of coordination",
        "assumption: partners' project capacity rises (1 + this·C) under coordination",
        plausible=(0.25, 1.0),
        ge=0,
        le=10,
    )
    link_pull: float = param(
        0.5,
        "relative odds per link",
        "assumption: each earlier university link raises a firm's project seeking",
        plausible=(0.25, 1.0),
        ge=0,
        le=10,
    )
    max_links_counted: int = param(
        4, "links", "assumption: links beyond this add nothing to the seeking odds", ge=0, le=100
    )
    max_demand_pressure: float = param(
        3.0,
        "ratio",
        "assumption: cap of the project demand pressure that draws new partners",
        plausible=(2.0, 5.0),
        ge=0,
        le=100,
    )


class Firms(Strict):
    """Firms: numbers, sizes, productivity, R&D and the cooperation decision."""

    above_scale_industrial: int = param(3_143, "firms", "Zibo above-scale industrial firms", ge=0)
    other_employers: int = param(1_200, "firms", "assumption: above-scale service employers", ge=0)
    size_sigma: float = param(1.0, "log-SD", "assumption: lognormal firm size", ge=0, le=5)
    soe_share: float = param(0.08, "share", "assumption: SOE share of firms", ge=0, le=1)
    listed_share: float = param(0.03, "share", "assumption: listed firms", ge=0, le=1)
    revenue_per_worker: float = param(
        1.2e6, "RMB/worker/yr", "assumption: industrial revenue per employee", gt=0
    )
    value_added_share: float = param(0.25, "share", "assumption: value added / revenue", gt=0, le=1)
    rd_intensity_private: float = param(
        0.0047,
        "share of revenue",
        "calibrated: city R&D intensity ~2.5 % of value added, ~89 % by firms",
        ge=0,
        le=0.5,
    )
    rd_intensity_soe: float = param(
        0.006, "share of revenue", "assumption: ~1.25 x the private rate", ge=0, le=0.5
    )
    rd_tax_elasticity: float = param(0.4, "1", "assumption: R&D response to user cost", ge=0, le=5)
    innovation_rd: float = param(
        12.0, "1 per R&D share", "assumption: hazard per R&D intensity", ge=0
    )
    innovation_partner: float = param(0.05, "1 per project", "SKIN: university links", ge=0)
    innovation_step: float = param(0.05, "log-productivity", "assumption", ge=0, le=1)
    growth_elasticity: float = param(
        0.5, "1", "assumption: employment growth per productivity", ge=0, le=5
    )
    labour_demand_elasticity: float = param(
        0.5,
        "1",
        "Hamermesh 1993: constant-output labour demand elasticity ~0.3-0.75; desired "
        "employment at a level falls with the firm's posted wage over the schedule",
        ge=0,
        le=5,
    )
    growth_wage_elasticity: float = param(
        0.5,
        "1/yr per log-wage",
        "assumption: growth of a firm's demand falls with its labour cost above the schedule "
        "(higher unit cost, lower expected output)",
        ge=0,
        le=10,
    )
    growth_noise: float = param(
        0.12,
        "log-SD/yr",
        "assumption: idiosyncratic yearly growth of a firm's demand (Gibrat); ~0.1-0.2 for "
        "employment growth of continuing firms",
        ge=0,
        le=2,
    )
    entry_rate: float = param(
        0.06,
        "1/yr",
        "assumption: potential entrants a year per firm of the set-up city (a pool that does "
        "not grow with the number of incumbents)",
        ge=0,
        le=1,
    )
    entry_profit_elasticity: float = param(
        3.0,
        "1 per log-profit",
        "assumption: entry responds to an entrant's expected profit relative to the set-up "
        "year (labour cost at the going wage, the field's demand)",
        ge=0,
        le=20,
    )
    exit_size_elasticity: float = param(
        0.2,
        "1",
        "Evans 1987; Dunne, Roberts & Samuelson 1989: exit hazard falls with size, "
        "h ∝ (size / entry_size)^−elasticity",
        ge=0,
        le=3,
    )
    exit_age_elasticity: float = param(
        0.3,
        "1",
        "Evans 1987; Dunne, Roberts & Samuelson 1989: exit hazard falls with age, "
        "h ∝ (1 + age)^−elasticity",
        ge=0,
        le=3,
    )
    demand_shock_sd: float = param(
        0.0,
        "log-SD/yr",
        "uncertainty: SD of the city's AR(1) aggregate demand shock (0 = off, the "
        "deterministic baseline; ~0.02-0.04 for a city's business cycle)",
        plausible=(0.0, 0.04),
        ge=0,
        le=0.5,
    )
    demand_shock_persistence: float = param(
        0.7,
        "1",
        "assumption: yearly persistence of the aggregate demand shock (AR(1) coefficient)",
        ge=0,
        le=0.99,
    )
    exit_rate: float = param(
        0.08,
        "1/yr",
        "calibrated: exit hazard of a new firm of entry size; exits balance the entry pool at "
        "~3,143 above-scale industrial firms",
        ge=0,
        le=1,
    )
    apprentice_cost: float = param(
        12_000,
        "RMB/apprentice/yr",
        "assumption: stipend and mentoring net of the apprentice's output",
        ge=0,
        plausible=(8000, 16000),
    )
    transaction_cost: float = param(
        85_000,
        "RMB/yr",
        "calibrated: firm participation ~15 % (杨钋 & 岳铮男 2018: transaction costs of "
        "dealing with schools and departments)",
        ge=0,
    )
    trainee_gain: float = param(
        0.35,
        "share of wage",
        "assumption: productivity of a retained trainee above a market hire, per year "
        "(set so that training pays a little at the ~30 % retention the model produces, "
        "and large firms gain most: Yang 2021; 杨钋 & 岳铮男 2018)",
        ge=0,
        le=2,
        plausible=(0.25, 0.45),
    )
    horizon: float = param(
        3.0,
        "years",
        "assumption: years a firm counts a retained trainee",
        ge=0,
        le=30,
        plausible=(2.0, 5.0),
    )
    benefit_noise: float = param(
        50_000,
        "RMB",
        "calibrated (by hand): idiosyncratic net benefit, small enough that participation "
        "concentrates in large firms",
        ge=0,
    )
    partnership_learning: float = param(
        0.25,
        "share/yr",
        "assumption: cost cut per year of partnership",
        ge=0,
        le=1,
        plausible=(0.1, 0.4),
    )
    apprentices_per_100: float = param(
        2.0, "per 100 employees", "assumption", ge=0, le=100, plausible=(1.0, 3.0)
    )
    poaching: float = param(
        0.3,
        "share",
        "Yang 2021: trainees lost to rivals at a balanced market (scaled by vacancies per seeker)",
        ge=0,
        le=1,
    )
    base_investment: float = param(
        10_000,
        "RMB/apprentice",
        "assumption: firm share of a co-built training base",
        ge=0,
        plausible=(5000, 15000),
    )
    coordination_cost_cut: float = param(
        0.6,
        "share of T at coordination 1",
        "assumption: a leading group takes over part of the dealings with schools and "
        "departments (杨钋 & 岳铮男 2018 name them the main cost); T·(1 − this·C)",
        plausible=(0.3, 0.9),
        ge=0,
        le=1,
    )
    listed_transaction_factor: float = param(
        0.6,
        "× T",
        "assumption: listed firms have HR departments that deal with schools at lower cost",
        plausible=(0.4, 0.9),
        ge=0,
        le=1,
    )
    unit_transaction_factor: float = param(
        0.5,
        "× T",
        "assumption: a 产才融合 integration unit (staff in charge of school cooperation) halves "
        "the firm's transaction cost",
        plausible=(0.3, 0.8),
        ge=0,
        le=1,
    )
    cost_cut_incidence: float = param(
        0.5,
        "share",
        "assumption: share of a government-funded cut in apprentice cost that lowers the "
        "firm's cost; the rest goes to the apprentice (stipend, materials, trainer time the "
        "firm does not reallocate), so an equal-cost cost cut moves fewer firms than a cash "
        "subsidy per apprentice (Yang 2021: support is more efficient than a cost cut)",
        plausible=(0.3, 0.8),
        ge=0,
        le=1,
    )
    apprentice_beta_quality: float = param(
        1.0,
        "per log-productivity",
        "assumption: students prefer apprenticeships at more productive firms",
        plausible=(0.0, 2.0),
        ge=0,
        le=20,
    )
    apprentice_beta_distance: float = param(
        0.03,
        "per km",
        "assumption: commuting cost from the school's district to the firm's (as "
        "field_choice.beta_distance)",
        plausible=(0.0, 0.06),
        ge=0,
        le=5,
    )
    entry_size: float = param(
        40.0,
        "employees",
        "assumption: size of an entrant; most entrants are above-scale (≥ 20 M RMB revenue)",
        gt=0,
    )
    university_seek_rate: float = param(
        0.12,
        "1/yr",
        "assumption: share of R&D firms seeking a university project",
        ge=0,
        le=1,
        plausible=(0.08, 0.16),
    )
    city_demand_growth: float = param(
        0.0,
        "1/yr",
        "assumption: growth of the city's demand for labour as a whole; Zibo's resident "
        "population (~4.7 M) and employment have been roughly stable since 2010 (Zibo "
        "statistical yearbook), so the fields' demand_growth trends shift demand between "
        "fields around a flat total",
        plausible=(-0.01, 0.01),
        ge=-0.1,
        le=0.1,
    )
    tech_share_productivity: float = param(
        0.5,
        "share per log-productivity",
        "assumption: rise of a firm's share of demand above secondary per unit of log "
        "productivity (skill-biased technology)",
        plausible=(0.2, 1.0),
        ge=0,
        le=5,
    )
    tech_share_min: float = param(
        0.05, "share", "assumption: lowest share of a firm's demand above secondary", ge=0, le=1
    )
    tech_share_max: float = param(
        0.95, "share", "assumption: highest share of a firm's demand above secondary", ge=0, le=1
    )
    split_gaozhi: float = param(
        0.5,
        "share",
        "assumption: 高职 part of demand above secondary (the three parts are normalised)",
        gt=0,
        le=1,
    )
    split_benke: float = param(0.38, "share", "assumption: 本科 part, as split_gaozhi", gt=0, le=1)
    split_graduate: float = param(
        0.12, "share", "assumption: 研究生 part, as split_gaozhi", gt=0, le=1
    )
    reference_worker_productivity: float = param(
        1.3,
        "productivity units",
        "model: mean worker productivity at set-up (level mix × skills, §7.9), so that revenue "
        "per worker at set-up is revenue_per_worker",
        gt=0,
        le=10,
    )
    exit_productivity_elasticity: float = param(
        2.0,
        "1 per log-productivity",
        "assumption: exit hazard falls with productivity relative to the mean, "
        "h ∝ exp(−elasticity·(log A − mean log A)) (selection on productivity: Jovanovic 1982; "
        "Foster, Haltiwanger & Syverson 2008)",
        plausible=(1.0, 4.0),
        ge=0,
        le=20,
    )
    exit_hazard_cap: float = param(
        0.5, "1/yr", "assumption: highest yearly exit hazard of a firm", gt=0, le=1
    )
    entry_size_sigma: float = param(
        0.5,
        "log-SD",
        "assumption: dispersion of entrants' sizes around entry_size",
        plausible=(0.3, 1.0),
        ge=0,
        le=5,
    )
    entry_productivity_sd: float = param(
        0.2,
        "log-SD",
        "assumption: dispersion of entrants' log productivity around the mean",
        plausible=(0.1, 0.4),
        ge=0,
        le=2,
    )
    above_scale_size: float = param(
        20.0,
        "employees",
        "assumption: an entrant from this size counts as above-scale (规模以上: ≥ 20 M RMB "
        "revenue, ~20 workers at revenue_per_worker)",
        gt=0,
    )
    entry_payback_years: float = param(
        5.0,
        "years",
        "assumption: years of expected profit an entrant weighs against its entry cost",
        plausible=(3.0, 10.0),
        gt=0,
        le=50,
    )
    poaching_tight_multiple: float = param(
        2.0,
        "1",
        "assumption: poaching = firms.poaching × this × min(1, vacancies / new seekers): "
        "firms.poaching at a market with half as many vacancies as new seekers",
        ge=0,
        le=10,
    )


class Lever(Strict):
    """A policy lever: its value and the first year it applies."""

    value: float = 0.0
    start_year: int = param(0, "year", "0 = from the first reported year", ge=0, le=2100)


class DemoPark(Strict):
    """The 产教融合 demonstration park (先行区, after Shanghai Lingang)."""

    enabled: bool = False
    start_year: int = param(0, "year", "0 = from the first reported year", ge=0, le=2100)
    land_ha: float = param(200, "ha", "assumption: Lingang-style zone", ge=0, le=10_000)
    shared_base_capacity: int = param(3_000, "trainee places", "assumption", ge=0)
    land_per_firm: float = param(
        2.0,
        "ha/firm",
        "assumption: land a park entrant occupies (a mid-sized plant); the park holds "
        "land_ha / land_per_firm firms",
        gt=0,
        le=1_000,
    )
    land_discount: float = param(
        0.5,
        "share of land value",
        "assumption: share of the land's value (policy.land_value) the park waives for an "
        "entrant (industrial land below market price in development zones)",
        plausible=(0.2, 1.0),
        ge=0,
        le=1,
    )
    productivity_edge: float = param(
        0.1,
        "log-productivity",
        "assumption: mean productivity advantage of a park entrant (selection of tech firms)",
        plausible=(0.0, 0.2),
        ge=0,
        le=1,
    )
    base_cost: float = param(
        5_000,
        "RMB/place/yr",
        "assumption: operating a shared-base place (trainers, materials, upkeep)",
        plausible=(3_000, 10_000),
        ge=0,
    )
    transaction_factor: float = param(
        0.5,
        "× T",
        "assumption: a park firm deals with schools through the park's platform at this share "
        "of the transaction cost (as an integration unit)",
        plausible=(0.3, 0.8),
        ge=0,
        le=1,
    )
    branch_colleges: int = param(
        2, "colleges", "assumption: branch colleges and firm universities", ge=0, le=50
    )
    branch_college_intake: int = param(
        1_000, "students/yr", "assumption: intake of one branch college (city scale)", ge=1
    )
    branch_college_specialties: int = param(
        10, "specialty points", "assumption: points of one branch college", ge=1, le=100
    )
    branch_college_equipment: float = param(
        2.0, "× equipment_reference", "assumption: a new college is well equipped", ge=0, le=10
    )
    order_class_bonus: float = param(
        1.0,
        "utility",
        "assumption: a branch college's students prefer apprenticeships in park firms (订单班, "
        "firm universities tied to park firms)",
        plausible=(0.0, 2.0),
        ge=0,
        le=20,
    )


class TalentSubsidy(Strict):
    """Graduate talent subsidies (Zibo talent policy)."""

    monthly_allowance: float = param(
        1_000, "RMB/month", "Zibo talent policy: 1,000 (2,000 for master's)", ge=0, le=50_000
    )
    years: int = param(5, "years", "Zibo talent policy", ge=0, le=30)
    housing_grant: float = param(
        80_000,
        "RMB",
        "Zibo: 80,000 RMB for master's graduates employed in the city, paid once when first "
        "employed with social insurance",
        ge=0,
        le=2_000_000,
    )
    graduate_multiplier: float = param(
        2.0, "× allowance", "Zibo talent policy: 2,000 RMB/month for master's", ge=0, le=10
    )
    start_year: int = param(0, "year", "0 = from the first reported year", ge=0, le=2100)


def lever(value: float, unit: str, source: str, **constraints: Any) -> Any:
    """A documented :class:`Lever` field whose ``value`` is bounded by ``constraints``."""
    return Field(
        default_factory=lambda: Lever(value=value),
        json_schema_extra={"unit": unit, "source": source, "bounds": constraints},
    )


class Policy(Strict):
    """The policy mix: every lever a city can choose, each with a start year."""

    apprenticeship_subsidy: Lever = lever(
        0.0,
        "RMB/apprentice-year",
        "national guideline >= 5,000 (2021); baseline: not paid for school apprentices",
        ge=0,
        le=100_000,
    )
    coop_project_subsidy: Lever = lever(0.0, "share of project cost", "assumption", ge=0, le=1)
    training_base_cofunding: Lever = lever(
        0.0, "RMB per RMB of firm investment", "assumption", ge=0, le=5
    )
    surcharge_credit: Lever = lever(
        0.30, "share of qualifying investment", "财税〔2019〕46号", ge=0, le=1
    )
    rd_super_deduction: Lever = lever(1.0, "extra deduction rate", "100 % since 2023", ge=0, le=3)
    land_grant: Lever = lever(0.0, "ha/yr", "assumption: land to training bases", ge=0, le=1_000)
    soe_rd_growth: Lever = lever(
        0.0, "1/yr", "Zibo policy paper (2023): rigid SOE R&D growth", ge=0, le=0.5
    )
    integration_units: Lever = lever(
        0.0,
        "share of above-scale firms",
        "Zibo policy paper (2023): 产才融合 units in all above-scale firms",
        ge=0,
        le=1,
    )
    coordination: Lever = lever(
        0.0, "strength 0-1", "Zibo policy paper (2023): no dedicated body yet", ge=0, le=1
    )
    specialty_alignment: Lever = lever(0.0, "strength 0-1", "assumption", ge=0, le=1)
    apprentice_cost_cut: Lever = lever(
        0.0,
        "RMB/apprentice-year",
        "assumption: government-funded training services (mentors, materials) that cut the "
        "cost of an apprentice; the comparison case of apprenticeship_subsidy (Yang 2021)",
        ge=0,
        le=100_000,
    )
    retention_bonus: Lever = lever(
        0.0,
        "RMB per completer retained",
        "national 中国式学徒制 guideline (2021): part of the subsidy on completion; paid per "
        "graduating apprentice kept by the sponsor",
        ge=0,
        le=200_000,
    )
    placement_reward: Lever = lever(
        0.0,
        "RMB per graduate",
        "Zibo policy paper (2023): 奖补 tied to results: paid to a vocational school per "
        "graduate employed in the city in field (对口), invested in its equipment",
        ge=0,
        le=200_000,
    )
    project_reward: Lever = lever(
        0.0,
        "RMB per project",
        "Zibo policy paper (2023): 奖补 tied to results: paid to a firm per university "
        "cooperation project completed",
        ge=0,
        le=1e8,
    )
    staff_education_deduction: Lever = lever(
        0.08,
        "share of payroll",
        "财税〔2018〕51号: staff-education spending up to 8 % of payroll is deductible from "
        "corporate income",
        ge=0,
        le=0.5,
    )
    land_value: float = param(
        3.0e6, "RMB/ha", "assumption: Zibo industrial land ~200,000 RMB/mu", ge=0
    )
    places_per_ha: float = param(
        150, "trainee places/ha", "assumption: training-base density", ge=0, plausible=(100, 200)
    )
    coordination_cost: float = param(
        2.0e7, "RMB/yr at strength 1", "assumption: staff and platforms of a leading group", ge=0
    )
    alignment_cost: float = param(
        5.0e6, "RMB/yr at strength 1", "assumption: demand forecasting and programme reviews", ge=0
    )
    integration_compliance: float = param(
        0.6,
        "share",
        "assumption: firms that comply with the integration-unit requirement",
        plausible=(0.3, 0.9),
        ge=0,
        le=1,
    )
    place_depreciation: float = param(
        0.1,
        "1/yr",
        "assumption: shared training places (park bases, bases on granted land) wear out over "
        "~10 years; capacity settles at new places / depreciation",
        plausible=(0.05, 0.2),
        ge=0,
        le=1,
    )
    place_cost: float = param(
        5_000,
        "RMB/place/yr",
        "assumption: operating a place of a base on granted land (as park.base_cost)",
        ge=0,
    )
    park: DemoPark = Field(default_factory=DemoPark)
    talent_subsidy: TalentSubsidy = Field(default_factory=TalentSubsidy)

    @model_validator(mode="after")
    def _levers_in_range(self) -> Policy:
        for name, info in type(self).model_fields.items():
            bounds = (info.json_schema_extra or {}).get("bounds")  # type: ignore[union-attr]
            if not bounds:
                continue
            value = getattr(self, name).value
            low, high = bounds.get("ge", float("-inf")), bounds.get("le", float("inf"))
            if not low <= value <= high:
                raise ValueError(f"policy.{name}.value = {value} is outside [{low}, {high}]")
        return self


class Setup(Strict):
    """The city at set-up, before the burn-in: what the initial workforce, firms and signals are."""

    productivity_sd: float = param(
        0.3, "log-SD", "assumption: dispersion of set-up firms' log productivity", ge=0, le=2
    )
    firm_age: int = param(
        30, "years", "assumption: set-up firms' ages uniform below this", ge=1, le=200
    )
    entry_age: int = param(
        20, "years", "assumption: age at which set-up workers began work", ge=14, le=30
    )
    max_experience: int = param(
        20, "years", "assumption: experience beyond this adds no skill or wage", ge=0, le=50
    )
    general_skill_per_year: float = param(
        0.03, "skill units/yr", "assumption: as skills.general_growth", ge=0, le=1
    )
    field_skill: float = param(
        0.3, "skill units", "assumption: in-field skill of a new set-up worker", ge=0, le=3
    )
    field_skill_per_year: float = param(
        0.04, "skill units/yr", "assumption: in-field skill per year of experience", ge=0, le=1
    )
    out_of_field_skill: float = param(
        0.1, "skill units", "assumption: field skill of a worker out of field", ge=0, le=3
    )
    wage_per_year: float = param(
        0.02, "share/yr", "assumption: wage premium per year of experience", ge=0, le=0.2
    )
    in_field: float = param(
        0.7, "share", "assumption: initial workers in their own field", ge=0, le=1
    )
    migrant_share: float = param(
        0.15, "share", "assumption: initial workers born outside the city", ge=0, le=1
    )
    zhongzhi_share: float = param(
        0.6, "share", "assumption: 中职 among secondary-level workers at set-up", ge=0, le=1
    )
    general_hs_share: float = param(
        0.25,
        "share",
        "assumption: 普高 among secondary-level workers at set-up (the rest 初中)",
        ge=0,
        le=1,
    )
    outside_students: float = param(
        0.5,
        "share",
        "assumption: in-migrants among the initial 高职/本科/研究生 students",
        ge=0,
        le=1,
    )
    other_employer_workers: float = param(
        240_000,
        "persons",
        "assumption: the city's other employers' staff who came through the modelled labour "
        "market (stage OTHER_EMPLOYER) at set-up, so that the stock starts near its steady "
        "state at the fitted other_employers_hiring (0.76): 189 k after the burn-in, as those "
        "near retirement age leave, and 194 k 30 years later (+2.5 %; with 120 k, +29 %; "
        "started from none it builds up over ≈ 30 years; scale 0.1, seed 1, "
        "docs/labour_market.md). The steady state moves with other_employers_hiring",
        ge=0,
        le=2_000_000,
    )
    portfolio_concentration: float = param(
        30.0,
        "1",
        "assumption: Dirichlet concentration of schools' initial portfolios around demand",
        gt=0,
        le=1_000,
    )
    demand_floor: float = param(
        0.02,
        "share",
        "assumption: weight every field gets in schools' initial portfolios beyond its demand",
        ge=0,
        le=1,
    )
    benke_seat_base: float = param(
        0.5,
        "weight",
        "assumption: 本科 seats by field ∝ employment share × (this + tech intensity)",
        ge=0,
        le=10,
    )
    placement: float = param(
        0.75, "share", "assumption: in-field placement students expect at set-up", ge=0, le=1
    )
    retention: float = param(
        0.6, "share", "assumption: apprentice retention firms expect at set-up", ge=0, le=1
    )
    vocational_share: float = param(
        0.4, "share", "assumption: 中职 share of the cohort seen at set-up", ge=0, le=1
    )
    leaver_share: float = param(
        0.2, "share", "assumption: share of last year's local graduates who left", ge=0, le=1
    )
    zhongzhi_continue_share: float = param(
        0.65, "share", "CIEFR 2020: ~65 % of 中职 graduates continue", ge=0, le=1
    )
    job_finding: float = param(
        0.7, "share", "assumption: job-finding rate of the unemployed seen at set-up", ge=0, le=1
    )


class CityConfig(Strict):
    """A whole scenario: the city, its people, institutions, policy and run settings."""

    name: str = "scenario"
    description: str = ""
    seed: int = param(42, "1", "root seed of the run", ge=0)
    years: int = param(20, "years", "design choice: the policy horizon, 20–30 years", ge=1, le=100)
    burn_in: int = param(
        12,
        "years",
        "status-quo years simulated before city.start_year, not reported: the start-up "
        "transient lasts ~8 years (docs/ODD.md, initialisation)",
        ge=0,
        le=100,
    )
    scale: float = param(
        1.0,
        "share",
        "share of persons and firms simulated; outcomes are scaled back to the city",
        gt=0,
        le=1,
    )
    city: CitySpec = Field(default_factory=CitySpec)
    fields: list[FieldSpec] = Field(min_length=2)
    districts: list[DistrictSpec] = Field(min_length=1)
    track_choice: TrackChoice = Field(default_factory=TrackChoice)
    field_choice: FieldChoice = Field(default_factory=FieldChoice)
    progression: Progression = Field(default_factory=Progression)
    migration: Migration = Field(default_factory=Migration)
    skills: Skills = Field(default_factory=Skills)
    labour_market: LabourMarket = Field(default_factory=LabourMarket)
    schools: list[SchoolSpec] = Field(min_length=2)
    programme_review: ProgrammeReview = Field(default_factory=ProgrammeReview)
    universities: Universities = Field(default_factory=Universities)
    firms: Firms = Field(default_factory=Firms)
    policy: Policy = Field(default_factory=Policy)
    setup: Setup = Field(default_factory=Setup)

    @model_validator(mode="after")
    def _cross_references(self) -> CityConfig:
        for i, school in enumerate(self.schools):
            if school.district >= len(self.districts):
                raise ValueError(
                    f"schools.{i}.district = {school.district} but only "
                    f"{len(self.districts)} districts are defined"
                )
        persons = self.city.cohort_size * self.scale
        firms = (self.firms.above_scale_industrial + self.firms.other_employers) * self.scale
        if persons < MIN_SCALED_COHORT or firms < MIN_SCALED_FIRMS:
            floor = max(
                MIN_SCALED_COHORT / self.city.cohort_size,
                MIN_SCALED_FIRMS / max(1, self.firms.above_scale_industrial
                                       + self.firms.other_employers),
            )  # fmt: skip
            raise ValueError(
                f"scale = {self.scale:g} simulates {persons:.1f} persons a cohort and "
                f"{firms:.1f} firms; at least {MIN_SCALED_COHORT} and {MIN_SCALED_FIRMS} are "
                f"needed for meaningful rates: use scale >= {floor:.2g} for this city"
            )
        if not self.universities.local:
            raise ValueError(
                "universities.local needs at least one university (本科 and graduate students "
                "study there)"
            )
        if not any(s.kind == "zhongzhi" for s in self.schools):
            raise ValueError("schools needs at least one zhongzhi school")
        if not any(s.kind == "gaozhi" for s in self.schools):
            raise ValueError("schools needs at least one gaozhi school")
        return self
