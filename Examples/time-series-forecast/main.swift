print("time-series-forecast: not written yet")
