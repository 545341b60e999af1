"""The person store: columns, growth, archiving, individuals and traces."""

from __future__ import annotations

import numpy as np

from talentsim.model.people import Event, People
from talentsim.model.states import Stage


def test_add_assigns_fresh_pids_defaults_and_grows_past_capacity():
    people = People(capacity=2)
    first = people.add(3, age=15, stage=Stage.GENERAL_HS)
    second = people.add(2, age=np.array([20, 21]), stage=Stage.EMPLOYED, employer=7)
    assert len(people) == 5
    np.testing.assert_array_equal(people.pid, np.arange(5))
    np.testing.assert_array_equal(people.age[second], [20, 21])
    assert (people.field[first] == -1).all() and (people.employer[first] == -1).all()
    assert (people.employer[second] == 7).all()


def test_column_assignment_writes_into_the_live_rows():
    people = People()
    people.add(3, age=15)
    people.age += 1
    assert (people.age == 16).all()


def test_compact_archives_leavers_and_keeps_everyone_in_individuals():
    people = People()
    rows = people.add(4, age=30, stage=Stage.EMPLOYED)
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
    rows = people.add(2, age=15)
    people.log(2024, rows, Event.ENTER, 0)
    people.log(2024, rows[:1], Event.ADMIT, int(Stage.ZHONGZHI), 3)
    people.log(2027, rows[:1], Event.GRADUATE, 1)
    people.log(2027, rows[:1], Event.HIRE, 12, 1)
    trace = people.trace(0)
    assert list(trace["event"].astype(str)) == ["ENTER", "ADMIT", "GRADUATE", "HIRE"]
    assert list(trace["year"]) == [2024, 2024, 2027, 2027]
    assert trace.loc[3, "a"] == 12
    assert list(people.trace(1)["event"].astype(str)) == ["ENTER"]
    assert people.trace(99).empty


def test_events_of_an_empty_store_is_an_empty_table():
    assert People().events().empty
