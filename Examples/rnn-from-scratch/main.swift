print("rnn-from-scratch: not written yet")
