"""Writes of the welfare app. The register and the money: `standards`, `register` (changes,
reports, reviews, exits) and `rolls` (monthly payment rolls, payments, re-issues)."""
