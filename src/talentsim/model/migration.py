"""Stay or leave the city: the local offer against the outside options (logit)."""

from __future__ import annotations

import numpy as np

from talentsim.config.schema import Destination, Migration
from talentsim.model.education import logistic


def outside_utilities(
    params: Migration, destinations: list[Destination], reference_wage: np.ndarray
) -> np.ndarray:
    """(n, D) utility of each destination: β·log(w_ref·wage_ratio_d + amenity_d) + log weight_d."""
    ratio = np.array([d.wage_ratio for d in destinations])
    amenity = np.array([d.amenity for d in destinations])
    weight = np.array([d.weight for d in destinations])
    income = np.maximum(reference_wage[:, None] * ratio[None, :] + amenity[None, :], 1.0)
    return params.beta_income * np.log(income) + np.log(weight)[None, :]


def stay_probability(
    params: Migration,
    local_income: np.ndarray,
    outside: np.ndarray,
    migrant: np.ndarray,
    unemployed: np.ndarray,
    leaver_share: float,
) -> np.ndarray:
    """P(stay) = σ(β·log y_local − logsum_d V_d + bias − penalty·unemployed − network·leavers).

    y_local is the local wage (or the reservation income when unemployed) plus talent subsidies;
    bias is home_bias for people born here and migrant_home_bias for in-migrants; leavers is
    the share of last year's graduates who left (network effect, Gürsoy & Badur).
    """
    logsum = np.log(np.exp(outside - outside.max(axis=1, keepdims=True)).sum(axis=1)) + outside.max(
        axis=1
    )
    bias = np.where(migrant, params.migrant_home_bias, params.home_bias)
    utility = (
        params.beta_income * np.log(np.maximum(local_income, 1.0))
        - logsum
        + bias
        - params.unemployed_penalty * unemployed
        - params.network * leaver_share
    )
    return logistic(utility)


def choose_destination(rng: np.random.Generator, outside: np.ndarray) -> np.ndarray:
    """Destination of each leaver: argmax of utility plus Gumbel noise (multinomial logit)."""
    return np.argmax(outside + rng.gumbel(size=outside.shape), axis=1).astype(np.int8)
