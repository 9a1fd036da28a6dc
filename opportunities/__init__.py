"""The partner's book of business (domain.md §9): upgrade opportunities across every customer."""
