"""The person store: columns, growth, archiving, individuals and traces."""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentsim.model.people import Event, People
from talentsim.model.states import Stage


def test_add_stores_the_given_pids_defaults_and_grows_past_capacity():
    people = People(capacity=2)
    first = people.add(np.arange(3), age=15, stage=Stage.GENERAL_HS)
    second = people.add(np.arange(3, 5), age=np.array([20, 21]), stage=Stage.EMPLOYED, employer=7)
    assert len(people) == 5
    np.testing.assert_array_equal(people.pid, np.arange(5))
    np.testing.assert_array_equal(people.age[second], [20, 21])
    assert (people.field[first] == -1).all() and (people.employer[first] == -1).all()
    assert (people.employer[second] == 7).all()


def test_column_assignment_writes_into_the_live_rows():
    people = People()
    people.add(np.arange(3), age=15)
    people.age += 1
    assert (people.age == 16).all()


def test_compact_archives_leavers_and_keeps_everyone_in_individuals():
    people = People()
    rows = people.add(np.arange(4), age=30, stage=Stage.EMPLOYED)
    people.log(2025, rows, Event.ENTER, 3)
    people.stage[1] = Stage.LEFT
    people.log(2025, np.array([1]), Event.LEAVE, 2)
    people.stage[3] = Stage.RETIRED
    people.compact()
    assert len(people) == 2
    np.testing.assert_array_equal(people.pid, [0, 2])
    everyone = people.individuals()
    assert list(everyone["pid"]) == [0, 1, 2, 3]
    assert list(everyone["stage"].astype(str)) == ["EMPLOYED", "LEFT", "EMPLOYED", "RETIRED"]


def test_trace_gives_one_persons_events_in_order():
    people = People()
    rows = people.add(np.arange(2), age=15)
    people.log(2024, rows, Event.ENTER, 0)
    people.log(2024, rows[:1], Event.ADMIT, int(Stage.ZHONGZHI), 3)
    people.log(2027, rows[:1], Event.GRADUATE, 1)
    people.log(2027, rows[:1], Event.HIRE, 12, 1)
    trace = people.trace(0)
    assert list(trace["event"].astype(str)) == ["ENTER", "ADMIT", "GRADUATE", "HIRE"]
    assert list(trace["year"]) == [2024, 2024, 2027, 2027]
    assert trace.loc[0, "entry"] == "COHORT"
    assert (trace.loc[1, "stage"], trace.loc[1, "school"]) == ("ZHONGZHI", 3)
    assert trace.loc[2, "level"] == "ZHONGZHI"
    assert (trace.loc[3, "firm"], trace.loc[3, "in_field"]) == (12, True)
    assert pd.isna(trace.loc[0, "firm"])
    assert list(people.trace(1)["event"].astype(str)) == ["ENTER"]
    assert people.trace(99).empty


def test_events_of_an_empty_store_is_an_empty_table():
    assert People().events().empty


def test_new_ids_give_the_kth_person_of_a_batch_the_same_id_in_any_store():
    one, other = People(), People()
    one.new_ids(2030, 1, 5)  # another batch drawn first in one store only
    first = one.new_ids(2030, 0, 3)
    np.testing.assert_array_equal(first, other.new_ids(2030, 0, 3))
    assert len(set(first) | set(one.new_ids(2030, 0, 3))) == 6  # the next ones are new
