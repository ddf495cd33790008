print("sequence-patterns: not written yet")
