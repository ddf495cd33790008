import Foundation

/// `.keras` files of models whose input is text: a string `InputLayer` feeding a
/// `TextVectorization`, whose vocabulary Keras keeps in the archive's assets.
///
/// SwiftKeras models take numbers, so on load the string input and the vectorizer are taken out
/// of the graph: the vectorizer's output becomes the model's input (an `InputLayer` with the
/// vectorizer's name, `int64` ids `[N, outputSequenceLength]` or float rows `[N, V]`), and the
/// vectorizer, its vocabulary read from `assets/layers/text_vectorization/vocabulary.txt`,
/// becomes ``Model/textVectorization``. Saving puts them back: the config gets the string input
/// and the `TextVectorization` in front of the model's input, and the archive gets the
/// vocabulary twice, under `assets/layers/text_vectorization/` and its `_lookup_layer/`, as
/// Keras' `save_assets` writes it, so `keras.models.load_model` opens the file.
enum TextModelArchive {
  /// The key Keras gives a model's first `TextVectorization` under `layers/`.
  static let layerKey = "text_vectorization"
  /// The asset entries Keras writes for that layer and for the `StringLookup` inside it.
  static let vocabularyEntries = [
    "assets/layers/\(layerKey)/vocabulary.txt", "assets/layers/\(layerKey)/_lookup_layer/vocabulary.txt",
  ]

  // MARK: Loading

  /// `config` without its string input and vectorizer, and the vectorizer with its vocabulary
  /// from `archive`; `config` unchanged and nil when the model has no string input.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a string input used by anything but one
  ///   `TextVectorization`, or a vectorizer in TF-IDF mode (its weights are not read);
  ///   ``SavingError/invalidArchive(file:entry:reason:)`` for a missing vocabulary asset.
  static func splitStringInput(_ config: ConfigValue, archive: KerasArchive?) throws -> (
    ConfigValue, TextVectorization?
  ) {
    guard let body = config["config"], case .array(let layers)? = body["layers"] else { return (config, nil) }
    let isSequential = config["class_name"]?.stringValue == "Sequential"
    guard let inputIndex = layers.firstIndex(where: isStringInput) else { return (config, nil) }
    let inputName = entryName(layers[inputIndex])
    let vectorizerIndex: Int
    if isSequential {
      vectorizerIndex = inputIndex + 1
    } else {
      let consumers = layers.indices.filter { $0 != inputIndex && mentions(layers[$0]["inbound_nodes"], inputName) }
      guard consumers.count == 1 else {
        throw KerasError.invalidArgument(
          "The model's string input '\(inputName)' must feed exactly one TextVectorization layer; it feeds "
            + "\(consumers.map { entryName(layers[$0]) })")
      }
      vectorizerIndex = consumers[0]
    }
    guard vectorizerIndex < layers.count, layers[vectorizerIndex]["class_name"]?.stringValue == "TextVectorization",
      let vectorizer = try deserializeLayer(layers[vectorizerIndex]) as? TextVectorization
    else {
      throw KerasError.invalidArgument(
        "The model's string input '\(inputName)' must feed a TextVectorization layer: SwiftKeras models take numbers")
    }
    guard vectorizer.outputMode != .tfIdf else {
      throw KerasError.invalidArgument(
        "Layer '\(vectorizer.name)' (TextVectorization): models with a tf_idf vectorizer are not loaded yet; "
          + "load the model after the vectorizer and adapt a TextVectorization in Swift")
    }
    if vectorizer.givenVocabulary == nil, let archive {
      let text = try archive.data(vocabularyEntries[0], limit: KerasArchive.maxJSONSize)
      try vectorizer.loadVocabularyAsset(String(decoding: text, as: UTF8.self))
    }
    vectorizer.stringInputName = inputName
    var newLayers = layers
    newLayers[vectorizerIndex] = inputEntry(for: vectorizer)
    newLayers.remove(at: inputIndex)
    var newBody = body.setting("layers", to: .array(newLayers))
    var newConfig = config
    if isSequential {
      let shape = ConfigValue.shape(inputShape(of: vectorizer))
      if newBody["build_input_shape"] != nil { newBody = newBody.setting("build_input_shape", to: shape) }
      if config["build_config"] != nil {
        newConfig = newConfig.setting("build_config", to: .object([("input_shape", shape)]))
      }
    } else {
      newBody = newBody.setting("input_layers", to: renamed(body["input_layers"] ?? .null, inputName, vectorizer.name))
    }
    return (newConfig.setting("config", to: newBody), vectorizer)
  }

  /// Whether a layer entry is an `InputLayer` of strings.
  private static func isStringInput(_ entry: ConfigValue) -> Bool {
    entry["class_name"]?.stringValue == "InputLayer" && entry["config"]?["dtype"]?.stringValue == "string"
  }

  private static func entryName(_ entry: ConfigValue) -> String {
    entry["name"]?.stringValue ?? entry["config"]?["name"]?.stringValue ?? ""
  }

  /// The batch shape of the vectorizer's output: `[nil, L]` ids or `[nil, V]` rows.
  private static func inputShape(of vectorizer: TextVectorization) -> [Int?] {
    (try? vectorizer.outputShape(for: [nil, 1])) ?? [nil, nil]
  }

  /// The `InputLayer` entry that stands for the vectorizer's output.
  private static func inputEntry(for vectorizer: TextVectorization) -> ConfigValue {
    .object([
      ("module", "keras.layers"), ("class_name", "InputLayer"),
      (
        "config",
        .object([
          ("batch_shape", .shape(inputShape(of: vectorizer))),
          ("dtype", vectorizer.outputMode == .int ? "int64" : "float32"), ("sparse", false), ("ragged", false),
          ("name", .string(vectorizer.name)), ("optional", false),
        ])
      ),
      ("registered_name", .null), ("name", .string(vectorizer.name)), ("inbound_nodes", .array([])),
    ])
  }

  /// Whether `value` holds a Keras 3 `keras_history` naming the layer `name`.
  private static func mentions(_ value: ConfigValue?, _ name: String) -> Bool {
    switch value {
    case .object(let pairs)?:
      if case .array(let history)? = value?["keras_history"], history.first?.stringValue == name { return true }
      return pairs.contains { mentions($0.1, name) }
    case .array(let items)?: return items.contains { mentions($0, name) }
    default: return false
    }
  }

  /// `value` with every `[old, node, tensor]` triple and `keras_history` naming `old` naming `new`.
  private static func renamed(_ value: ConfigValue, _ old: String, _ new: String) -> ConfigValue {
    switch value {
    case .array(let items):
      if items.count == 3, items[0].stringValue == old, ConfigReader.integer(items[1]) != nil {
        return .array([.string(new), items[1], items[2]])
      }
      return .array(items.map { renamed($0, old, new) })
    case .object(let pairs): return .object(pairs.map { ($0.0, renamed($0.1, old, new)) })
    default: return value
    }
  }

  // MARK: Saving

  /// `config` (the model's `.keras` config) with a string input and `vectorizer` in front of the
  /// model's first input, as Keras serializes a model called on strings.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the vectorizer's output does not fit the
  ///   model's first input, or the vectorizer is in TF-IDF mode.
  static func joinStringInput(_ config: ConfigValue, _ vectorizer: TextVectorization, model: Model) throws
    -> ConfigValue
  {
    guard vectorizer.outputMode != .tfIdf else {
      throw KerasError.invalidArgument(
        "Layer '\(vectorizer.name)' (TextVectorization): saving a model with a tf_idf vectorizer is not supported yet")
    }
    guard let body = config["config"], case .array(let layers)? = body["layers"],
      let inputIndex = layers.firstIndex(where: { $0["class_name"]?.stringValue == "InputLayer" })
    else {
      throw KerasError.invalidArgument(
        "Model '\(model.name)': a model with a textVectorization needs an Input to receive the vectorizer's output")
    }
    let inputName = entryName(layers[inputIndex])
    let modelShape = try ConfigReader(layers[inputIndex]["config"] ?? .object([]), owner: "Input '\(inputName)'")
      .shape("batch_shape")
    let produced = inputShape(of: vectorizer)
    guard let modelShape, modelShape.count == 2,
      modelShape[1] == produced[1] || produced[1] == nil || modelShape[1] == nil
    else {
      throw KerasError.invalidArgument(
        "Model '\(model.name)': its input '\(inputName)' \(kerasShapeText(modelShape ?? [])) does not take the output "
          + "of TextVectorization '\(vectorizer.name)', \(kerasShapeText(produced))")
    }
    let stringName = vectorizer.stringInputName ?? uniqueName("text", avoiding: layers.map(entryName))
    let stringShape: ConfigValue = .shape([nil, 1])
    let stringInput: ConfigValue = .object([
      ("module", "keras.layers"), ("class_name", "InputLayer"),
      (
        "config",
        .object([
          ("batch_shape", stringShape), ("dtype", "string"), ("sparse", false), ("ragged", false),
          ("name", .string(stringName)), ("optional", false),
        ])
      ),
      ("registered_name", .null), ("name", .string(stringName)), ("inbound_nodes", .array([])),
    ])
    let isSequential = config["class_name"]?.stringValue == "Sequential"
    var vectorizerPairs: [(String, ConfigValue)] = [
      ("module", "keras.layers"), ("class_name", "TextVectorization"), ("config", vectorizer.config),
      ("registered_name", .null), ("build_config", .object([("input_shape", stringShape)])),
    ]
    if !isSequential {
      let history: ConfigValue = .object([
        ("class_name", "__keras_tensor__"),
        (
          "config",
          .object([
            ("shape", stringShape), ("dtype", "string"), ("keras_history", .array([.string(stringName), 0, 0])),
          ])
        ),
      ])
      vectorizerPairs += [
        ("name", .string(vectorizer.name)),
        ("inbound_nodes", .array([.object([("args", .array([history])), ("kwargs", .object([]))])])),
      ]
    }
    var newLayers = layers.map { isSequential ? $0 : renamed($0, inputName, vectorizer.name) }
    newLayers.replaceSubrange(inputIndex...inputIndex, with: [stringInput, .object(vectorizerPairs)])
    var newBody = body.setting("layers", to: .array(newLayers))
    var newConfig = config
    if isSequential {
      if newBody["build_input_shape"] != nil { newBody = newBody.setting("build_input_shape", to: stringShape) }
      if config["build_config"] != nil {
        newConfig = newConfig.setting("build_config", to: .object([("input_shape", stringShape)]))
      }
    } else {
      newBody = newBody.setting("input_layers", to: renamed(body["input_layers"] ?? .null, inputName, stringName))
    }
    return newConfig.setting("config", to: newBody)
  }

  /// The vocabulary assets of `vectorizer` (none when its vocabulary is in its config).
  static func assetEntries(_ vectorizer: TextVectorization) -> [(name: String, data: Data)] {
    guard vectorizer.givenVocabulary == nil else { return [] }
    let data = Data(vectorizer.vocabularyAsset.utf8)
    return vocabularyEntries.map { ($0, data) }
  }

  private static func uniqueName(_ base: String, avoiding names: [String]) -> String {
    var name = base
    var counter = 0
    while names.contains(name) {
      counter += 1
      name = "\(base)_\(counter)"
    }
    return name
  }
}

extension ConfigValue {
  /// This object with `key` set to `value` (replaced in place, or appended).
  fileprivate func setting(_ key: String, to value: ConfigValue) -> ConfigValue {
    guard case .object(var pairs) = self else { return self }
    if let index = pairs.firstIndex(where: { $0.0 == key }) {
      pairs[index].1 = value
    } else {
      pairs.append((key, value))
    }
    return .object(pairs)
  }
}
