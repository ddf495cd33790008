print("keras-interop: not written yet")
