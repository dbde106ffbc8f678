"""Cross-cutting pieces: configuration, database, errors, time, i18n, secrets."""
