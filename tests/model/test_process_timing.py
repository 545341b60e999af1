"""TalentModel.process_cpu: CPU seconds per process of the schedule, a cheap timing hook."""

from __future__ import annotations

from talentsim.config import resolve_config
from talentsim.model import SCHEDULE, TalentModel, simulate

BASELINE = "configs/zibo_baseline.yaml"


def test_every_process_and_the_compaction_are_timed_every_year():
    cfg = resolve_config(BASELINE, {}).model_copy(update={"scale": 0.01, "burn_in": 1})
    city = TalentModel(cfg, rng=3)
    after_burn_in = dict(city.process_cpu)
    assert list(after_burn_in) == [name for name, _ in SCHEDULE] + ["compact"]
    assert all(seconds >= 0 for seconds in after_burn_in.values())
    simulate(cfg, seed=3, years=2, city=city)
    assert sum(city.process_cpu.values()) > sum(after_burn_in.values())
