"""Graduate inflow: graduates from outside arrive to seek work; more come when the city pays more.

n ~ Poisson(graduate_inflow · scale · (attractiveness / reference)^inflow_elasticity), with
attractiveness = 1 + talent income of a 本科 graduate / 本科 wage, and the reference that of
the status-quo talent policy in the same year (so a richer subsidy draws more graduates even
when it applies from the first year). The city's wage level does not enter: the wages of the
outside destinations move with it (:mod:`~talentsim.model.processes.migration` prices them as
ratios of the local wage), so productivity growth alone neither draws nor repels graduates.
The count is an inverse-CDF draw of one uniform, so a lever that raises the mean raises the
count; the k-th arrival of a year is the same person in every scenario.
"""

from __future__ import annotations

import numpy as np

from talentsim.model.agents.government import STATUS_QUO
from talentsim.model.people import Entry, Event
from talentsim.model.state import CityState
from talentsim.model.states import MARKET_LEVEL, Level, Stage
from talentsim.model.streams import Stream


def arrive(state: CityState, stream: Stream) -> None:
    """Add this year's in-migrating graduates as job seekers (``state.now.inflow``)."""
    city, p, mig = state.config.city, state.people, state.config.migration
    benke = np.array([Level.BENKE])
    wage = state.base_wage(np.array([MARKET_LEVEL[Level.BENKE]]))[0]
    attract = 1.0 + state.talent_income(benke)[0] / wage
    reference = 1.0 + state.talent_income(benke, STATUS_QUO.talent_subsidy)[0] / wage
    mean = city.graduate_inflow * state.scale * (attract / reference) ** city.inflow_elasticity
    n = stream.count("arrivals", mean)
    pid = p.new_ids(state.year, Entry.GRADUATE_INFLOW * 20, n)
    higher = stream.uniform(pid, "higher") < city.inflow_higher_share
    level = np.where(
        higher,
        np.where(
            stream.uniform(pid, "benke") < mig.inflow_benke_share, Level.BENKE, Level.GRADUATE
        ),
        np.where(
            stream.uniform(pid, "gaozhi") < mig.inflow_gaozhi_share,
            Level.GAOZHI,
            Level.ZHONGZHI,
        ),
    )
    rows = p.add(
        pid,
        age=stream.integers(pid, "age", mig.inflow_min_age, mig.inflow_max_age + 1),
        district=stream.choice(pid, "district", state.structure.cohort_share),
        origin=1,
        ability=stream.normal(pid, "ability"),
        family=stream.normal(pid, "family"),
        stage=Stage.UNEMPLOYED,
        level=level,
        field=stream.choice(pid, "field", state.structure.employment_share),
        skill_field=state.config.skills.school_field_skill,
        graduation_year=state.year,
    )
    p.log(state.year, rows, Event.ENTER, int(Entry.GRADUATE_INFLOW))
    state.now.inflow = rows
    state.now.counters["graduate_inflow"] = n
    state.now.counters["graduate_inflow_higher"] = int(higher.sum())
