import Foundation
import Hummingbird
import HummingbirdTesting
import Keras
import KerasServing
import Testing

@Suite("TensorFlow Serving REST endpoints")
struct EndpointTests {
  @Test("row-format predict of a saved .keras model answers model.predict's numbers")
  func rowPredictMatchesModel() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("tiny.keras").path
    try tinyModel().save(file)
    let model = try loadModel(file)
    let x = Tensor([[1, 2, 3, 4], [0.5, -1, 0, 2]])
    let expected = try model.predict(x, verbose: 0)

    let server = makeServer(["tiny": try SequentialServable(contentsOf: file)])
    try await withServer(server) { client async throws in
      let answer = try await client.post("/v1/models/tiny:predict", #"{"instances": [[1, 2, 3, 4], [0.5, -1, 0, 2]]}"#)
      #expect(answer.status == 200)
      let predictions = try #require(rows((answer.body as? [String: Any])?["predictions"] as Any))
      #expect(predictions.count == 2)
      #expect(Tensor(predictions).isAlmostEqual(to: expected, tolerance: 1e-6))
    }
  }

  @Test("columnar predict answers outputs; a named version answers the same")
  func columnarPredict() async throws {
    let model = tinyModel()
    let expected = try model.predict(Tensor([[1, 0, 0, 1]]), verbose: 0)
    let server = makeServer(["tiny": try SequentialServable(model)])
    try await withServer(server) { client async throws in
      for uri in ["/v1/models/tiny:predict", "/v1/models/tiny/versions/1:predict"] {
        let answer = try await client.post(uri, #"{"signature_name": "serving_default", "inputs": [[1, 0, 0, 1]]}"#)
        #expect(answer.status == 200)
        let outputs = try #require(rows((answer.body as? [String: Any])?["outputs"] as Any))
        #expect(Tensor(outputs).isAlmostEqual(to: expected, tolerance: 1e-6))
      }
      let named = try await client.post("/v1/models/tiny:predict", #"{"inputs": {"inputs": [[1, 0, 0, 1]]}}"#)
      #expect(named.status == 200)
    }
  }

  @Test("model status lists version 1 AVAILABLE with error_code OK, as TensorFlow Serving writes it")
  func status() async throws {
    let server = makeServer(["tiny": try SequentialServable(tinyModel())])
    try await withServer(server) { client async throws in
      for uri in ["/v1/models/tiny", "/v1/models/tiny/versions/1"] {
        let answer = try await client.get(uri)
        #expect(answer.status == 200)
        let list = try #require((answer.body as? [String: Any])?["model_version_status"] as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list[0]["version"] as? String == "1")
        #expect(list[0]["state"] as? String == "AVAILABLE")
        let status = try #require(list[0]["status"] as? [String: Any])
        #expect(status["error_code"] as? String == "OK")
        #expect(status["error_message"] as? String == "")
      }
    }
  }

  @Test("metadata gives the serving_default signature: names, DT_FLOAT, shapes with -1 for the batch")
  func metadata() async throws {
    let server = makeServer(["tiny": try SequentialServable(tinyModel())])
    try await withServer(server) { client async throws in
      let answer = try await client.get("/v1/models/tiny/metadata")
      #expect(answer.status == 200)
      let body = try #require(answer.body as? [String: Any])
      let spec = try #require(body["model_spec"] as? [String: Any])
      #expect(spec["name"] as? String == "tiny")
      #expect(spec["version"] as? String == "1")
      let outer = try #require((body["metadata"] as? [String: Any])?["signature_def"] as? [String: Any])
      let signature = try #require((outer["signature_def"] as? [String: Any])?["serving_default"] as? [String: Any])
      #expect(signature["method_name"] as? String == "tensorflow/serving/predict")
      func dims(_ side: String, _ name: String) -> [String]? {
        let info = (signature[side] as? [String: Any])?[name] as? [String: Any]
        #expect(info?["dtype"] as? String == "DT_FLOAT")
        let shape = info?["tensor_shape"] as? [String: Any]
        return (shape?["dim"] as? [[String: Any]])?.compactMap { $0["size"] as? String }
      }
      #expect(dims("inputs", "inputs") == ["-1", "4"])
      #expect(dims("outputs", "output_0") == ["-1", "3"])
    }
  }

  @Test("unknown model, version or path is 404 with an error message")
  func notFound() async throws {
    let server = makeServer(["tiny": try SequentialServable(tinyModel())])
    try await withServer(server) { client async throws in
      for (uri, method) in [
        ("/v1/models/other", "GET"), ("/v1/models/tiny/versions/2", "GET"),
        ("/v1/models/tiny/versions/2:predict", "POST"),
        ("/v1/models/tiny/metadata/extra", "GET"), ("/v1/models/tiny:classify", "POST"),
        ("/v1/models/tiny:predict", "GET"),
      ] {
        let answer =
          method == "GET"
          ? try await client.get(uri) : try await client.post(uri, #"{"instances": [[1, 2, 3, 4]]}"#)
        #expect(answer.status == 404, "\(method) \(uri)")
        #expect((answer.body as? [String: Any])?["error"] is String, "\(method) \(uri)")
      }
    }
  }

  @Test("several inputs and outputs: row objects answer row objects, columnar dictionaries answer dictionaries")
  func severalInputsAndOutputs() async throws {
    let server = makeServer(["two": TwoInOutModel()])
    try await withServer(server) { client async throws in
      let row = try await client.post(
        "/v1/models/two:predict", #"{"instances": [{"a": [1, 2], "b": [10]}, {"a": [3, 4], "b": [20]}]}"#)
      #expect(row.status == 200)
      let predictions = try #require((row.body as? [String: Any])?["predictions"] as? [[String: Any]])
      #expect(predictions.count == 2)
      #expect(rows([predictions[0]["sum"] as Any]) == [[13]])
      #expect(rows([predictions[1]["sum"] as Any]) == [[27]])
      #expect(rows([predictions[1]["scaled"] as Any]) == [[6, 8]])

      let columnar = try await client.post(
        "/v1/models/two:predict", #"{"inputs": {"a": [[1, 2], [3, 4]], "b": [[10], [20]]}}"#)
      #expect(columnar.status == 200)
      let outputs = try #require((columnar.body as? [String: Any])?["outputs"] as? [String: Any])
      #expect(rows(outputs["sum"] as Any) == [[13], [27]])
      #expect(rows(outputs["scaled"] as Any) == [[2, 4], [6, 8]])

      let missing = try await client.post("/v1/models/two:predict", #"{"inputs": {"a": [[1, 2]]}}"#)
      #expect(missing.status == 400)
      #expect(((missing.body as? [String: Any])?["error"] as? String)?.contains("\"b\"") == true)
    }
  }

  @Test("healthz, readyz and Prometheus metrics with requests by model and status")
  func operations() async throws {
    let server = makeServer(["tiny": try SequentialServable(tinyModel())])
    try await withServer(server) { client async throws in
      #expect(try await client.get("/healthz").status == 200)
      #expect(try await client.get("/readyz").status == 200)
      _ = try await client.post("/v1/models/tiny:predict", #"{"instances": [[1, 2, 3, 4]]}"#)
      _ = try await client.post("/v1/models/tiny:predict", #"{"instances": [[1, 2, 3]]}"#)
      let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
      #expect(metrics.contains(#"keras_serving_requests_total{model="tiny",api="predict",status="200"} 1"#))
      #expect(metrics.contains(#"keras_serving_requests_total{model="tiny",api="predict",status="400"} 1"#))
      #expect(metrics.contains("keras_serving_request_duration_seconds_bucket"))
      #expect(metrics.contains(#"keras_serving_batch_size_rows_count{model="tiny"} 1"#))
      #expect(metrics.contains("keras_serving_queue_depth_rows"))
    }
  }

  @Test("readyz is 503 while no model version is loaded")
  func notReady() async throws {
    let server = makeServer([:])
    try await withServer(server) { client async throws in
      #expect(try await client.get("/readyz").status == 503)
      #expect(try await client.get("/healthz").status == 200)
    }
  }
}

@Suite("Serving Functional models")
struct FunctionalServingTests {
  /// A model with inputs `seq` and `meta` and outputs `out` and `aux`.
  func twoInputTwoOutput() throws -> Model {
    setRandomSeed(9)
    let seq = Input(shape: [3, 2], name: "seq")
    let meta = Input(shape: [2], name: "meta")
    let joined = Concatenate()([LSTM(3)(seq), Dense(3, activation: .relu)(meta)])
    let out = Dense(1, activation: .sigmoid, name: "out")(joined)
    let aux = Dense(2, activation: .softmax, name: "aux")(joined)
    return try Model(inputs: [seq, meta], outputs: [out, aux])
  }

  @Test("columnar predict by input name answers each output by name, equal to model.predict; metadata lists both")
  func namedInputsAndOutputs() async throws {
    let model = try twoInputTwoOutput()
    let seq = Tensor([[[1, 0], [0, 1], [1, 1]], [[0.5, -1], [0, 2], [1, 0]]])
    let meta = Tensor([[1, 2], [-1, 0.5]])
    let expected = try model.predict([seq, meta], verbose: 0)
    let server = makeServer(["two": try ModelServable(model)])
    try await withServer(server) { client async throws in
      let body = #"{"inputs": {"seq": [[[1, 0], [0, 1], [1, 1]], [[0.5, -1], [0, 2], [1, 0]]], "meta": [[1, 2], [-1, 0.5]]}}"#
      let answer = try await client.post("/v1/models/two:predict", body)
      #expect(answer.status == 200)
      let outputs = try #require((answer.body as? [String: Any])?["outputs"] as? [String: Any])
      #expect(Tensor(try #require(rows(outputs["out"] as Any))).isAlmostEqual(to: expected[0], tolerance: 1e-6))
      #expect(Tensor(try #require(rows(outputs["aux"] as Any))).isAlmostEqual(to: expected[1], tolerance: 1e-6))
      let metadata = try await client.get("/v1/models/two/metadata")
      #expect(metadata.status == 200)
      let text = String(describing: metadata.body)
      #expect(text.contains("seq") && text.contains("meta") && text.contains("out") && text.contains("aux"))
    }
  }
}
