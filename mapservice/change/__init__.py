"""Change over time (issue 15): rounds of walkthroughs, matching repeat observations between
two rounds, classifying what changed, and the quarter's indicators per round.

Depends only on rooms below it (capture's tables, georef, db, catalog).
"""
