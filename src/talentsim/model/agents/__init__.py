"""The city's institutions as Mesa agents: firms, vocational schools, universities, government.

Each module holds the institution's state and its own decisions.
"""
