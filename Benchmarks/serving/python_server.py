"""The Python reference for the serving benchmark: TensorFlow Serving's predict route over Keras.

    TF_ENABLE_ONEDNN_OPTS=0 python python_server.py MODEL.keras NAME PORT [--call]

Python's standard-library threading HTTP server; each POST /v1/models/NAME:predict with
{"instances": [...]} runs `model.predict(x, verbose=0)` (or `model(x, training=False)` with
--call, Keras' faster path for small batches) and answers {"predictions": [...]}.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import keras
import numpy as np

path, name, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
direct_call = "--call" in sys.argv
model = keras.models.load_model(path)
route = f"/v1/models/{name}:predict"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        if self.path != route:
            return self.answer(404, {"error": f"unknown path {self.path}"})
        try:
            x = np.asarray(json.loads(raw)["instances"], dtype="float32")
            y = model(x, training=False) if direct_call else model.predict(x, verbose=0)
            self.answer(200, {"predictions": np.asarray(y).tolist()})
        except Exception as error:  # a bad request is answered, never fatal
            self.answer(400, {"error": str(error)})

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
print(f"serving {path} as {name} on 127.0.0.1:{port}", flush=True)
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
