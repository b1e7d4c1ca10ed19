"""Writes of treatment (each atomic and audited; ids and codes in the log only).

- ``plans``: treatment plans, their versions, signatures and reviews.
- ``notes``: individual session notes, addenda.
- ``groups``: groups, rosters, the calendar, group notes and member notes.
- ``measurement``: measurement schedules and the not-on-track reaction.
- ``discharge``: discharge summaries.
- ``thread``: the golden thread's flags at signing.
"""
