"""Uploads and media: files checked by content and stored under generated names, `/media/` behind
access rules."""
