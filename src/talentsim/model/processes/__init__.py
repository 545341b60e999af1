"""The yearly processes, one module each; their order is :data:`talentsim.model.city.SCHEDULE`.

A process is a function ``process(state, stream)``: it reads and writes the
:class:`~talentsim.model.state.CityState` and draws only from ``stream``, its own random
stream for the year.
"""
