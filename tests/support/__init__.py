"""Importable test support: builders, clients and real servers shared by the test modules.

conftest files hold fixtures (and pytest hooks) only; anything a test imports lives
here, one module per subject, imported as ``tests.support.<module>``:

- ``factories``: staff, patients and MFA-verified clients (``make_staff``, ``PASSWORD``).
- ``auth``: the password step through the test client, TOTP codes, the session's user.
- ``audit``: what a test caused in the audit trail, and tampering as an attacker would.
- ``access``: docs/access.md read as tables, and the world that requests every row.
- ``pages``: every page rendered once (the page tour), links and CSRF-free page text.
- ``assessment``, ``instruments``, ``helpline``, ``records``, ``demo``: data and
  checks for those apps' tests.
- ``queries``: counted requests and worlds of a chosen size.
- ``browser``: Chromium's settings, the request log, page checks, sign-in in a browser.
- ``chromium``, ``servers``: finding Chromium; production servers in their own processes.
"""
