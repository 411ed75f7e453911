"""Users, API keys, logging in and out, and who the caller is (/me)."""
