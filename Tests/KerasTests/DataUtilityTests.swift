import Foundation
import Testing

@testable import Keras

/// Reads the JSON fixtures of `Fixtures/make_preprocessing_fixtures.py` (Keras 3.15).
enum PreprocessingFixture {
  static func path(_ file: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/preprocessing/\(file)").path
  }

  static func load(_ file: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path(file))))
    return object as! [String: Any]
  }

  /// A `{"shape", "values"}` record as a float tensor.
  static func tensor(_ record: Any?) -> Tensor {
    let record = record as! [String: Any]
    let shape = (record["shape"] as! [NSNumber]).map(\.intValue)
    let values = (record["values"] as! [NSNumber]).map(\.floatValue)
    return try! Tensor(shape: shape, scalars: values)
  }
}

@Suite("Keras' data utilities: timeseriesDatasetFromArray, padSequences, toCategorical")
struct DataUtilityTests {
  nonisolated(unsafe) static let timeseries = try! PreprocessingFixture.load("timeseries.json")
  static var timeseriesCases: [String] {
    (timeseries["cases"] as! [[String: Any]]).map { $0["name"] as! String }
  }

  @Test("timeseriesDatasetFromArray gives Keras' windows, targets and batches", arguments: timeseriesCases)
  func timeseriesMatchesKeras(name: String) throws {
    let fixture = Self.timeseries
    let record = (fixture["cases"] as! [[String: Any]]).first { $0["name"] as! String == name }!
    let arguments = record["arguments"] as! [String: Any]
    let data = PreprocessingFixture.tensor(fixture["data"])
    var targets: Tensor? = nil
    if record["has_targets"] as! Bool {
      let all = PreprocessingFixture.tensor(fixture["targets"])
      let offset = record["target_offset"] as! Int
      targets = try Tensor(shape: [all.shape[0] - offset], scalars: Array(all.scalars[offset...]))
    }
    func int(_ key: String) -> Int? { (arguments[key] as? NSNumber)?.intValue }
    let dataset = try timeseriesDatasetFromArray(
      data: data, targets: targets, sequenceLength: int("sequence_length")!,
      sequenceStride: int("sequence_stride") ?? 1,
      samplingRate: int("sampling_rate") ?? 1, batchSize: int("batch_size")!, startIndex: int("start_index"),
      endIndex: int("end_index"))
    let batches = record["batches"] as! [[String: Any]]
    #expect(dataset.batchCount == batches.count)
    for (index, expected) in batches.enumerated() {
      let batch = try dataset.batch(at: index)
      #expect(batch.inputs[0] == PreprocessingFixture.tensor(expected["x"]), "batch \(index)")
      if let y = expected["y"] {
        #expect(batch.targets == [PreprocessingFixture.tensor(y)], "batch \(index)")
      } else {
        #expect(batch.targets.isEmpty)
      }
    }
  }

  @Test("A shuffled timeseries dataset serves every window once, in the same order for the same seed")
  func shuffledTimeseries() throws {
    let data = try Tensor(shape: [40, 1], scalars: (0..<40).map { Float($0) })
    let targets = Tensor((0..<40).map { Float($0) * 10 })
    func firstRows(seed: UInt64) throws -> [Float] {
      let dataset = try timeseriesDatasetFromArray(
        data: data, targets: targets, sequenceLength: 4, batchSize: 8, shuffle: true, seed: seed)
      var rows: [Float] = []
      for index in 0..<dataset.batchCount! {
        let batch = try dataset.batch(at: index)
        let x = batch.inputs[0].scalars
        for window in 0..<batch.count {
          // Each window is still consecutive rows, with the target of its first row.
          #expect(Array(x[(window * 4)..<(window * 4 + 4)]) == (0..<4).map { x[window * 4] + Float($0) })
          #expect(batch.targets[0].scalars[window] == x[window * 4] * 10)
          rows.append(x[window * 4])
        }
      }
      return rows
    }
    let a = try firstRows(seed: 1)
    #expect(a.sorted() == (0..<37).map { Float($0) })
    #expect(a != a.sorted())
    #expect(try firstRows(seed: 1) == a)
    #expect(try firstRows(seed: 2) != a)
  }

  @Test("timeseriesDatasetFromArray rejects Keras' bad arguments with Keras' messages")
  func timeseriesErrors() throws {
    let data = Tensor((0..<10).map { Float($0) })
    #expect(throws: KerasError.self) {
      try timeseriesDatasetFromArray(data: data, targets: nil, sequenceLength: 3, startIndex: 10)
    }
    #expect(throws: KerasError.self) {
      try timeseriesDatasetFromArray(data: data, targets: nil, sequenceLength: 3, endIndex: 10)
    }
    #expect(throws: KerasError.self) {
      try timeseriesDatasetFromArray(data: data, targets: nil, sequenceLength: 3, startIndex: 5, endIndex: 4)
    }
    #expect(throws: KerasError.self) {
      try timeseriesDatasetFromArray(data: data, targets: nil, sequenceLength: 3, samplingRate: 0)
    }
    #expect(throws: KerasError.self) {
      try timeseriesDatasetFromArray(data: data, targets: nil, sequenceLength: 3, sequenceStride: 10)
    }
    do {
      _ = try timeseriesDatasetFromArray(data: data, targets: nil, sequenceLength: 3, startIndex: 12)
    } catch {
      #expect("\(error)".contains("`startIndex` must be lower than the length of the data"))
    }
    // A window whose target row does not exist.
    #expect(throws: KerasError.self) {
      try timeseriesDatasetFromArray(data: data, targets: Tensor([1, 2, 3, 4]), sequenceLength: 2, startIndex: 3)
    }
    let dataset = try timeseriesDatasetFromArray(data: data, targets: nil, sequenceLength: 3, batchSize: 4)
    #expect(throws: KerasError.self) { try dataset.batch(at: 2) }
  }

  @Test("padSequences pads and truncates as Keras' pad_sequences")
  func padSequencesMatchesKeras() throws {
    let fixture = try PreprocessingFixture.load("sequences.json")
    let sequences = (fixture["sequences"] as! [[NSNumber]]).map { $0.map(\.intValue) }
    let features = (fixture["feature_sequences"] as! [[[NSNumber]]]).map { rows in
      try! Tensor(shape: [rows.count, 2], scalars: rows.flatMap { $0.map(\.floatValue) })
    }
    for case let record as [String: Any] in fixture["pad"] as! [Any] {
      let arguments = record["arguments"] as! [String: Any]
      let maxLen = (arguments["maxlen"] as? NSNumber)?.intValue
      let dtype = arguments["dtype"] as? String ?? "int32"
      let padding = arguments["padding"] as? String ?? "pre"
      let truncating = arguments["truncating"] as? String ?? "pre"
      let value = (arguments["value"] as? NSNumber)?.floatValue ?? 0
      let result =
        record["features"] != nil
        ? try padSequences(
          features, maxLen: maxLen, dtype: dtype, padding: padding, truncating: truncating, value: value)
        : try padSequences(
          sequences, maxLen: maxLen, dtype: dtype, padding: padding, truncating: truncating, value: value)
      #expect(result == PreprocessingFixture.tensor(record["result"]), "\(arguments)")
    }
    #expect(throws: KerasError.self) { try padSequences([[1]], padding: "middle") }
    #expect(throws: KerasError.self) { try padSequences([Tensor([[1, 2]]), Tensor([[1, 2, 3]])]) }
  }

  @Test("toCategorical gives Keras' one-hot rows")
  func toCategoricalMatchesKeras() throws {
    let fixture = try PreprocessingFixture.load("sequences.json")
    for case let record as [String: Any] in fixture["categorical"] as! [Any] {
      let labels = PreprocessingFixture.tensor(record["labels"])
      let classes = (record["num_classes"] as? NSNumber)?.intValue
      #expect(try toCategorical(labels, numClasses: classes) == PreprocessingFixture.tensor(record["result"]))
    }
    #expect(try toCategorical([0, 2], numClasses: 3) == Tensor([[1, 0, 0], [0, 0, 1]]))
    #expect(throws: KerasError.self) { try toCategorical([0, 3], numClasses: 3) }
    #expect(throws: KerasError.self) { try toCategorical(Tensor([0.5])) }
  }
}
