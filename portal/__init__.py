"""The shared core: accounts and security, notifications, organisations, uploads and media, i18n and
digits, HTTP and REST helpers (see the README's "Where things are")."""
