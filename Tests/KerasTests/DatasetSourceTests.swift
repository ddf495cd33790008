import Foundation
import Testing

@testable import Keras
@testable import TensorCore

/// A fresh temporary folder, removed by the caller.
private func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("keras-datasets-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The bytes of a version-1.0 `.npy` file of `descr` and `shape` whose data are `body`, as `np.save` lays them out.
private func npyFile(descr: String, shape: [Int], body: [UInt8], fortranOrder: Bool = false) -> Data {
  let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  var header = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
  header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
  let length = header.utf8.count
  return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8) + body)
}

private func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
  values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
}

/// The rows of every batch of `dataset`'s inputs (first input) and targets, concatenated.
private func allRows(_ dataset: some Dataset) throws -> (x: [Float], y: [Float]) {
  var x: [Float] = []
  var y: [Float] = []
  for i in 0..<dataset.batchCount! {
    let batch = try dataset.batch(at: i)
    x += batch.inputs[0].scalars
    y += batch.targets.first?.scalars ?? []
  }
  return (x, y)
}

@Suite("Dataset sources: NPY files, CSV files, text folders, shuffle buffers")
struct DatasetSourceTests {
  @Test("NPYDataset maps float32, float64, int32 and int64 files and gives the rows of the arrays in memory")
  func npyMatchesMemory() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let x = try Tensor(shape: [7, 2, 3], scalars: (0..<42).map { Float($0) * 0.25 - 3 })
    let xPath = folder.appendingPathComponent("x.npy").path
    try NPY.write(x, to: xPath)
    let doubles = (0..<7).map { Double($0) / 8 }
    let files: [(String, Data)] = [
      ("f8.npy", npyFile(descr: "<f8", shape: [7], body: littleEndianBytes(doubles.map(\.bitPattern)))),
      ("i4.npy", npyFile(descr: "<i4", shape: [7, 1], body: littleEndianBytes((0..<7).map { Int32($0 - 3) }))),
      ("i8.npy", npyFile(descr: "<i8", shape: [7, 1], body: littleEndianBytes((0..<7).map { Int64($0 * 1000) }))),
    ]
    for (name, data) in files { try data.write(to: folder.appendingPathComponent(name)) }
    let memory = try TensorDataset(x: x, y: Tensor(doubles.map(Float.init)), batchSize: 3)
    let mapped = try NPYDataset(x: xPath, y: folder.appendingPathComponent("f8.npy").path, batchSize: 3)
    #expect(mapped.batchCount == 3)
    #expect(mapped.inputShapes == [[7, 2, 3]])
    for i in 0..<3 {
      let (a, b) = (try memory.batch(at: i), try mapped.batch(at: i))
      #expect(a.inputs[0].shape == b.inputs[0].shape)
      #expect(a.inputs[0].scalars == b.inputs[0].scalars)
      #expect(a.targets[0].scalars == b.targets[0].scalars)
    }
    let ints = try NPYDataset(
      inputs: [folder.appendingPathComponent("i4.npy").path], targets: [folder.appendingPathComponent("i8.npy").path],
      batchSize: 4)
    let rows = try allRows(ints)
    #expect(rows.x == [-3, -2, -1, 0, 1, 2, 3])
    #expect(rows.y == [0, 1000, 2000, 3000, 4000, 5000, 6000])
  }

  @Test("fit on an NPYDataset gives the weights of fit on the same arrays in memory")
  func npyFitMatchesMemory() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let x = try Tensor(shape: [10, 3], scalars: (0..<30).map { Float(($0 * 7) % 13) / 13 })
    let y = try Tensor(shape: [10, 1], scalars: (0..<10).map { Float($0 % 3) })
    try NPY.write(x, to: folder.appendingPathComponent("x.npy").path)
    try NPY.write(y, to: folder.appendingPathComponent("y.npy").path)
    func model() throws -> Sequential {
      let m = withRandomSeed(5) { Sequential { Input(shape: [3]); Dense(2, activation: .relu); Dense(1) } }
      try m.compile(optimizer: "adam", loss: "mse")
      return m
    }
    let (a, b) = (try model(), try model())
    try withRandomSeed(9) { _ = try a.fit(TensorDataset(x: x, y: y, batchSize: 4), epochs: 2, verbose: 0) }
    try withRandomSeed(9) {
      _ = try b.fit(
        NPYDataset(x: folder.appendingPathComponent("x.npy").path, y: folder.appendingPathComponent("y.npy").path, batchSize: 4),
        epochs: 2, verbose: 0)
    }
    for (wa, wb) in zip(a.getWeights(), b.getWeights()) { #expect(wa.scalars == wb.scalars) }
  }

  @Test("NPYDataset names the file: missing, not .npy, Fortran order, rows that differ")
  func npyErrors() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect { try NPYDataset(x: folder.appendingPathComponent("none.npy").path) } throws: { "\($0)".contains("none.npy") }
    let text = folder.appendingPathComponent("text.npy")
    try Data("hello, not numpy".utf8).write(to: text)
    #expect { try NPYDataset(x: text.path) } throws: { "\($0)".contains("text.npy") && "\($0)".contains("magic") }
    let fortran = folder.appendingPathComponent("f.npy")
    try npyFile(descr: "<f4", shape: [2, 2], body: littleEndianBytes([UInt32](repeating: 0, count: 4)), fortranOrder: true)
      .write(to: fortran)
    #expect { try NPYDataset(x: fortran.path) } throws: { "\($0)".contains("Fortran") }
    try NPY.write(Tensor(repeating: 1, shape: [3, 2]), to: folder.appendingPathComponent("a.npy").path)
    try NPY.write(Tensor(repeating: 1, shape: [4, 1]), to: folder.appendingPathComponent("b.npy").path)
    #expect {
      try NPYDataset(x: folder.appendingPathComponent("a.npy").path, y: folder.appendingPathComponent("b.npy").path)
    } throws: { "\($0)".contains("b.npy") && "\($0)".contains("4 rows") }
  }

  @Test("CSVDataset selects feature and label columns by name or position, and names a bad cell")
  func csvColumns() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("data.csv").path
    try "id,temp,\"pressure, mbar\",label\n1,20.5,1000,0\n2,21,1001.5,1\n3,19.25,999,1\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    let data = try CSVDataset(path: path, featureColumns: ["temp", "pressure, mbar"], labelColumns: ["label"], batchSize: 2)
    #expect(data.count == 3 && data.batchCount == 2)
    let first = try data.batch(at: 0)
    #expect(first.inputs[0].shape == [2, 2])
    #expect(first.inputs[0].scalars == [20.5, 1000, 21, 1001.5])
    #expect(first.targets[0].scalars == [0, 1])
    #expect(try data.batch(at: 1).inputs[0].scalars == [19.25, 999])
    #expect(try data.batch(at: 0).targets[0].scalars == [0, 1])  // batch 0 starts a new pass
    let rest = try CSVDataset(path: path, labelColumns: [3], batchSize: 8)
    #expect(rest.featureIndices == [0, 1, 2])
    #expect(try rest.batch(at: 0).inputs[0].shape == [3, 3])
    #expect { try CSVDataset(path: path, labelColumns: ["y"]) } throws: { "\($0)".contains("'y'") && "\($0)".contains("'label'") }
    try "a,b\n1,2\n3,x\n".write(toFile: path, atomically: true, encoding: .utf8)
    let bad = try CSVDataset(path: path, labelColumns: ["b"], batchSize: 1)
    _ = try bad.batch(at: 0)
    #expect { try bad.batch(at: 1) } throws: { "\($0)".contains("line 3") && "\($0)".contains("'b'") && "\($0)".contains("'x'") }
  }

  @Test("shuffled(buffer:seed:) gives every row once per pass, in a new order each pass, the same for the same seed")
  func shuffleBuffer() throws {
    let x = try Tensor(shape: [10, 1], scalars: (0..<10).map(Float.init))
    let data = try TensorDataset(x: x, y: x, batchSize: 3)
    let shuffled = data.shuffled(buffer: 4, seed: 42)
    #expect(shuffled.batchCount == 4 && shuffled.readsInOrder)
    let first = try allRows(shuffled)
    #expect(first.x.sorted() == (0..<10).map(Float.init))
    #expect(first.x == first.y)  // rows stay whole
    #expect(first.x != (0..<10).map(Float.init))
    #expect(try (0..<4).map { try shuffled.batch(at: $0).count } == [3, 3, 3, 1])
    let second = try allRows(shuffled)
    #expect(second.x.sorted() == first.x.sorted() && second.x != first.x)
    #expect(try allRows(data.shuffled(buffer: 4, seed: 42)).x == first.x)
    #expect(throws: KerasError.self) { try shuffled.batch(at: 2) }
  }

  @Test("map and take transform and cut a dataset")
  func mapAndTake() throws {
    let data = try TensorDataset(x: Tensor(repeating: 1, shape: [10, 2]), y: Tensor(repeating: 0, shape: [10, 1]), batchSize: 4)
    let doubled = data.map { batch in DatasetBatch(x: batch.inputs[0] * 2, y: batch.targets[0]) }
    #expect(try doubled.batch(at: 2).inputs[0].scalars == [2, 2, 2, 2])
    #expect(data.take(2).batchCount == 2)
    #expect(data.take(9).batchCount == 3)
  }

  @Test("textDatasetFromDirectory finds Keras' classes, files, order, labels and splits (shuffle off)")
  func textDirectoryMatchesKeras() throws {
    struct Fixture: Decodable {
      struct Call: Decodable {
        let name: String
        let batch_size: Int
        let validation_split: Double?
        let subset: String?
        let class_names: [String]?
      }
      struct Batch: Decodable {
        let texts: [String]
        let labels: [Int]
      }
      struct Result: Decodable {
        let call: Call
        let class_names: [String]
        let file_paths: [String]
        let batches: [Batch]
      }
      let tree: [String: String]
      let results: [Result]
    }
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/datasets/text_directory.json")
    let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    let root = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    for (path, text) in fixture.tree {
      let file = root.appendingPathComponent(path)
      try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
      try text.write(to: file, atomically: true, encoding: .utf8)
    }
    for result in fixture.results {
      let call = result.call
      let data = try textDatasetFromDirectory(
        root.path, batchSize: call.batch_size, shuffle: false, validationSplit: call.validation_split, subset: call.subset,
        classNames: call.class_names)
      #expect(data.classNames == result.class_names, "\(call.name)")
      #expect(data.filePaths.map { String($0.dropFirst(root.path.count + 1)) } == result.file_paths, "\(call.name)")
      let batches = try (0..<data.batchCount).map { try data.batch(at: $0) }
      #expect(batches.map(\.texts) == result.batches.map(\.texts), "\(call.name)")
      #expect(batches.map(\.labels) == result.batches.map(\.labels), "\(call.name)")
    }
    #expect { try textDatasetFromDirectory(root.path, validationSplit: 0.2, subset: "training") } throws: {
      "\($0)".contains("seed")
    }
    let ids = try textDatasetFromDirectory(root.path, batchSize: 4, shuffle: false).map { batch in
      DatasetBatch(x: Tensor(batch.texts.map { Float($0.count) }), y: Tensor(batch.labels.map(Float.init)))
    }
    #expect(ids.batchCount == 2)
    #expect(try ids.batch(at: 1).targets[0].scalars == [2, 2, 2, 2])
  }
}
