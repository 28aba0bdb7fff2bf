"""``python -m training.data.everyday [-n N] [--seed S] [--stats]``: print everyday sentences."""

from training.data.everyday.generator import main

main()
