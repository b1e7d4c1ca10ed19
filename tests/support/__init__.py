"""Importable test support: builders, clients and real servers shared by the test modules.

conftest files hold fixtures only; anything a test imports lives here.
"""
