"""Answers to the questionnaire, domain input, and their validation."""
