"""Demo data for seed.py: realistic questions and answers from a Dutch home-textiles shop."""
