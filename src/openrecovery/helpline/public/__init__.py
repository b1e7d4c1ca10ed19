"""The public site of the helpline: pages anyone can open, without signing in."""
