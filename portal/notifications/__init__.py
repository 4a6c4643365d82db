"""Notifications: `notify()` writes the in-app row and, after commit, queues its e-mail; the
notification pages."""
