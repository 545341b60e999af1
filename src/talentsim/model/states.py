"""Codes for a person's stage and education level, and the labour-market level they map to."""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stage(IntEnum):
    """Where a person is this year."""

    GENERAL_HS = 0  # 普高 student
    ZHONGZHI = 1  # 中职 student
    GAOZHI = 2  # 高职 student
    BENKE = 3  # 本科 student
    GRADUATE_STUDY = 4  # 研究生 student
    EMPLOYED = 5
    UNEMPLOYED = 6
    LEFT = 7  # left the city
    RETIRED = 8
    OTHER_EMPLOYER = 9  # works for the city's employers outside the modelled firms


class Level(IntEnum):
    """Highest completed education."""

    JUNIOR = 0  # 初中
    ZHONGZHI = 1  # 中职
    GENERAL_HS = 2  # 普高
    GAOZHI = 3  # 高职 (associate)
    BENKE = 4  # 本科 (bachelor)
    GRADUATE = 5  # 研究生


STUDY_STAGES = (Stage.GENERAL_HS, Stage.ZHONGZHI, Stage.GAOZHI, Stage.BENKE, Stage.GRADUATE_STUDY)
IN_CITY_STAGES = (*STUDY_STAGES, Stage.EMPLOYED, Stage.UNEMPLOYED, Stage.OTHER_EMPLOYER)

STUDY_YEARS = {
    Stage.GENERAL_HS: 3,
    Stage.ZHONGZHI: 3,
    Stage.GAOZHI: 3,
    Stage.BENKE: 4,
    Stage.GRADUATE_STUDY: 3,
}
"""Programme length in years (专升本 entrants to 本科 start in year 3)."""

LEVEL_AFTER = {
    Stage.GENERAL_HS: Level.GENERAL_HS,
    Stage.ZHONGZHI: Level.ZHONGZHI,
    Stage.GAOZHI: Level.GAOZHI,
    Stage.BENKE: Level.BENKE,
    Stage.GRADUATE_STUDY: Level.GRADUATE,
}

MARKET_LEVEL = np.array([0, 0, 0, 1, 2, 3], dtype=np.int8)
"""Labour-market level (secondary, gaozhi, benke, graduate) of each :class:`Level`."""

N_MARKET_LEVELS = 4
GAOZHI_MARKET_LEVEL = int(MARKET_LEVEL[Level.GAOZHI])
VOCATIONAL_LEVELS = (Level.ZHONGZHI, Level.GAOZHI)

STAGE_NAME = {
    Stage.GENERAL_HS: "general_hs",
    Stage.ZHONGZHI: "zhongzhi",
    Stage.GAOZHI: "gaozhi",
    Stage.BENKE: "benke",
    Stage.GRADUATE_STUDY: "graduate",
}
"""Names of the study stages in outcomes and flows."""


def employed_in_city(stage: np.ndarray) -> np.ndarray:
    """Employed by a modelled firm or by one of the city's other employers."""
    return (stage == Stage.EMPLOYED) | (stage == Stage.OTHER_EMPLOYER)
