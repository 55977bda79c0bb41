"""What the numbers are measured on and where they are written.

dataset  MNIST from its four IDX files, verified by SHA-256
cpu      the CPU a number was measured on, and its int8-relevant features
report   models/REPORT.md, one section per writer
"""
