"""Accounts and security: sign-up and profile, log-in lockouts, the second factor, API tokens, the
security log, and the role groups' admin permissions."""
