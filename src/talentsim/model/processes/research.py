"""Research and innovation: firm R&D, university cooperation projects, technology transfer.

R&D = :func:`~talentsim.model.agents.firms.rd_rate` (super-deduction d) · revenue; for SOEs at
least last year's R&D·(1 + g) (mandatory SOE R&D growth g). An R&D firm seeks a university
project with probability seek_rate·(1 + a·C)·(1 + σ + r/R)·(1 + ℓ·min(links, L)); projects =
min(seekers, Poisson(K)) with partner capacity K = Σ capacity·(1 + k·C)·(1 + σ + r/R) (coordination
C, project co-funding σ, which pays σ of project R&D; the result-tied reward r per project
completed (paid to the firm and the university team) counts like a share r/R of the project's
R&D R = project_rd, in the seek rate and in the capacity: ×(1 + σ + r/R) — in the model every
project completes in its year, so a reward of r equals a co-funding share of r/R;
a = ``coordination_seek``, k = ``coordination_capacity``, ℓ = ``link_pull``, L =
``max_links_counted``, all in ``universities``); firms with earlier links go first.
Partner universities join and lapse (:meth:`University.update_partnership`). A firm innovates
with :func:`~talentsim.model.agents.firms.innovation_probability` and its log productivity
rises by innovation_step (SKIN: Ahrweiler, Pyka & Gilbert 2011).
"""

from __future__ import annotations

import numpy as np

from talentsim.model.agents import firms
from talentsim.model.state import CityState
from talentsim.model.streams import Stream


def research_and_innovate(state: CityState, stream: Stream) -> None:
    """This year's R&D, projects, partnerships, innovations and their fiscal cost."""
    gov, cfg, table = state.government, state.config, state.firms
    state.update_revenue()
    active = np.flatnonzero(table.active)
    keys = table.key[active]
    revenue = table.revenue[active]
    rd = firms.rd_rate(cfg.firms, table.soe[active], gov.lever("rd_super_deduction")) * revenue
    mandate = gov.lever("soe_rd_growth")
    if mandate > 0:
        rd = np.where(table.soe[active], np.maximum(rd, table.rd[active] * (1 + mandate)), rd)
    coordination = gov.lever("coordination")
    subsidy_share = gov.lever("coop_project_subsidy")
    reward = gov.lever("project_reward")
    uni = cfg.universities
    links = np.minimum(table.links[active], uni.max_links_counted)
    seek = stream.uniform(keys, "seek project") < cfg.firms.university_seek_rate * (
        1 + uni.coordination_seek * coordination
    ) * (1 + subsidy_share + reward / max(uni.project_rd, 1.0)) * (1 + uni.link_pull * links)
    partners = [u for u in state.universities if u.partner]
    funded = subsidy_share + reward / max(uni.project_rd, 1.0)
    capacity = (
        sum(u.capacity for u in partners)
        * (1 + uni.coordination_capacity * coordination)
        * (1 + funded)
    )
    seekers = active[seek]
    order = np.lexsort(
        (stream.uniform(table.key[seekers], "project order"), table.links[seekers] == 0)
    )
    n_projects = min(len(seekers), stream.count("projects", capacity) if capacity else 0)
    with_project = seekers[order][:n_projects]
    table.projects[:] = 0
    table.projects[with_project] = 1
    table.links[with_project] += 1
    _assign_projects(state, stream, partners, with_project)
    # at city scale, so that the floor of one project means the same at every scale
    demand_pressure = len(seekers) / max(capacity / (1 + funded), state.scale)
    draws = stream.uniform(np.arange(len(state.universities)), "partnership")
    for university, u in zip(state.universities, draws, strict=True):
        university.update_partnership(
            float(u), cfg.universities, coordination, min(demand_pressure, uni.max_demand_pressure)
        )
    project_rd = cfg.universities.project_rd * table.projects[active]
    rd = rd + project_rd
    table.rd[active] = rd
    gov.spend(
        "rd_super_deduction",
        firms.CORPORATE_TAX * gov.lever("rd_super_deduction") * rd.sum() / state.scale,
    )
    gov.spend("coop_project_subsidy", subsidy_share * project_rd.sum() / state.scale)
    gov.spend("project_reward", reward * n_projects / state.scale)
    innovate = stream.uniform(keys, "innovation") < firms.innovation_probability(
        cfg.firms, rd / np.maximum(revenue, 1.0), table.projects[active]
    )
    table.log_productivity[active[innovate]] += cfg.firms.innovation_step
    state.now.innovated = active[innovate]
    university_rd = (
        sum(u.capacity for u in state.universities if u.local) * cfg.universities.research_budget
    )
    state.now.counters.update(
        coop_projects=n_projects,
        firm_rd=float(rd.sum()),
        soe_rd=float(rd[table.soe[active]].sum()),
        university_rd=university_rd,
        tech_transfer=cfg.universities.transfer_multiplier * project_rd.sum(),
        coop_rd=float(project_rd.sum()),
        innovations=int(innovate.sum()),
    )


def _assign_projects(
    state: CityState, stream: Stream, partners: list, firm_rows: np.ndarray
) -> None:
    """Each project goes to a partner university in proportion to its capacity."""
    for university in state.universities:
        university.projects = 0
        university.expected_projects = 0.0
    shares = np.array([u.capacity for u in partners], dtype=float)
    if not len(partners) or shares.sum() <= 0 or not len(firm_rows):
        return
    for university, part in zip(partners, shares / shares.sum(), strict=True):
        university.expected_projects = len(firm_rows) * part / state.scale
    chosen = stream.choice(state.firms.key[firm_rows], "project partner", shares)
    for university, count in zip(
        partners, np.bincount(chosen, minlength=len(partners)), strict=True
    ):
        university.projects = int(count)
