"""Local development and `make demo`: DEBUG on unless told otherwise, a generated secret."""

from .base import *  # noqa: F403
from .base import DATA_DIR
from .env import env_bool, env_str
from .secrets import local_secret

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY") or local_secret(DATA_DIR / "secret.key")
