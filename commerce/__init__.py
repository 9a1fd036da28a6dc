"""New commerce (domain.md §8): transition eligibility and transitions of new commerce subscriptions."""
