"""The core beneath the features: settings, database, errors, clock, permissions, audit."""
