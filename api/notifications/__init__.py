"""E-mail notifications: a transactional outbox, templates, preferences and the mail worker."""
