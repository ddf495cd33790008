print("text-generation: not written yet")
