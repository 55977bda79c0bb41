"""The reader: a photo or frame -> the digits on it, in rows, through named stages.

frame (gray copy, working scale) -> sheet (the paper) -> ink (binarized, rules removed) -> marks
(candidates, non-digits rejected) -> digits (MNIST-normalised crops) -> rows (reading order).
runtime.reader.pipeline runs them; runtime.reader.recognizer adds the classifier.
"""
