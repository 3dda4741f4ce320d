"""Identity commands, one module per subject (registration, login, sessions, ...)."""
