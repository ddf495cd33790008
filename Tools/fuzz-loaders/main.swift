print("fuzz-loaders: not written yet")
