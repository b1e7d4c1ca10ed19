"""The suicide-risk pathway: risk levels, owed tasks, safety plans and caring contacts.

Every stage reuses it: a positive screen anywhere opens a "C-SSRS owed" task, each
C-SSRS result sets the patient's current risk level and the actions its level calls
for (``triage.py``, Columbia triage guidance by default).
"""
