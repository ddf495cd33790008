import Foundation
import Testing

@testable import Keras

@Suite("swift-keras inspect describes model files")
struct InspectionTests {
  func fixture(_ name: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/weights/\(name)").path
  }

  @Test("a Keras 3 .weights.h5 file shows its layer groups, variable shapes and name attributes")
  func weightsFile() throws {
    let text = try inspectModelFile(fixture("bidirectional.weights.h5"))
    #expect(text.contains("layers/"))
    #expect(text.contains("forward_layer/"))
    #expect(text.contains("0  [3, 12]  float32"))
    #expect(text.contains("@name = lstm_cell"))
  }

  @Test("a legacy whole-model .h5 shows the Keras version and cuts long attributes")
  func legacyModel() throws {
    let text = try inspectModelFile(fixture("lstm.model.h5"), attributeWidth: 40)
    #expect(text.contains("keras_version: 3.15.1"))
    #expect(text.contains("model_weights/"))
    #expect(text.contains("@model_config = {\"class_name\": \"Sequential\", \"config\": {… (4033 characters)"))
  }

  @Test("a missing or non-HDF5 file throws an error naming it")
  func badFiles() throws {
    #expect { try inspectModelFile("/nonexistent/model.h5") } throws: { "\($0)".contains("/nonexistent/model.h5") }
    let readme = fixture("bidirectional.json")
    #expect { try inspectModelFile(readme) } throws: { "\($0)".contains(readme) }
  }
}
