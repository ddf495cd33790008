print("checkpoint-trainer: not written yet")
