extension Model {
  /// The model's Keras config as `keras.saving.serialize_keras_object(model)` writes it for a
  /// `.keras` file: a Sequential's or a Functional's, with `build_config` and `compile_config`.
  ///
  /// A subclassed model has no config Keras could rebuild it from; it saves its weights only.
  public var serializedConfig: ConfigValue {
    if let sequential = self as? Sequential { return sequential.sequentialSerializedConfig }
    return functionalSerializedConfig
  }

  /// The model config Keras 3 stores as `model_config` in a legacy `.h5` file.
  var legacyModelConfig: ConfigValue {
    if let sequential = self as? Sequential { return sequential.sequentialLegacyModelConfig }
    return functionalLegacyModelConfig
  }
}

extension Sequential {
  /// The model's Keras config as `keras.saving.serialize_keras_object(model)` writes it for a
  /// `.keras` file: `{"module": "keras", "class_name": "Sequential", "config": {"name", "trainable",
  /// "dtype", "layers": [InputLayer, ...], "build_input_shape"}, "registered_name": null,
  /// "build_config", "compile_config"}`; the last two only when built and compiled.
  var sequentialSerializedConfig: ConfigValue {
    var pairs: [(String, ConfigValue)] = [
      ("module", "keras"), ("class_name", "Sequential"), ("config", modelBodyConfig), ("registered_name", nil),
    ]
    if let inputShape { pairs.append(("build_config", .object([("input_shape", .shape(inputShape))]))) }
    if let compiled { pairs.append(("compile_config", compiled.compileConfig)) }
    return .object(pairs)
  }

  /// The model config Keras 3 stores as `model_config` in a legacy `.h5` file: the serialized
  /// config without `module`, `registered_name`, `build_config` and `compile_config` on the
  /// model and its layers (nested objects such as initializers keep theirs).
  var sequentialLegacyModelConfig: ConfigValue {
    let dropped: Set<String> = ["module", "registered_name", "build_config", "compile_config"]
    func strip(_ value: ConfigValue) -> ConfigValue {
      guard case .object(let pairs) = value else { return value }
      return .object(pairs.filter { !dropped.contains($0.0) })
    }
    guard case .object(var body) = modelBodyConfig else { return strip(sequentialSerializedConfig) }
    if let index = body.firstIndex(where: { $0.0 == "layers" }), case .array(let layers) = body[index].1 {
      body[index].1 = .array(layers.map(strip))
    }
    return .object([("class_name", "Sequential"), ("config", .object(body))])
  }

  /// `config` of the Sequential: name, trainable, dtype policy, the serialized layers (an
  /// `InputLayer` first when the input shape is known) and `build_input_shape`.
  private var modelBodyConfig: ConfigValue {
    var serializedLayers: [ConfigValue] = []
    if let inputShape {
      // The input layer's own dtype and name (`Input(shape:dtype:name:)`), as Keras writes them.
      let input = inputs.first?.layer as? InputLayer
      serializedLayers.append(
        .object([
          ("module", "keras.layers"), ("class_name", "InputLayer"),
          (
            "config",
            .object([
              ("batch_shape", .shape(inputShape)), ("dtype", .string(input?.dtype ?? "float32")), ("sparse", false),
              ("ragged", false), ("name", .string(input?.name ?? "input_layer")), ("optional", false),
            ])
          ),
          ("registered_name", nil),
        ]))
    }
    for layer in layers {
      var pairs = layer.serializationHeader
      if let shape = layer.builtInputShape {
        pairs.append(("build_config", .object([("input_shape", .shape(shape))])))
      }
      serializedLayers.append(.object(pairs))
    }
    return .object([
      ("name", .string(name)), ("trainable", true),
      ("dtype", dtypePolicy.config),
      ("layers", .array(serializedLayers)), ("build_input_shape", inputShape.map { .shape($0) } ?? .null),
    ])
  }
}

extension CompiledModel {
  /// The `compile_config` of a `.keras` file (`model.get_compile_config()`).
  var compileConfig: ConfigValue {
    .object([("optimizer", optimizer.serialized), ("loss", lossConfig { $0.config })] + trainingSettings)
  }

  /// The loss entry: one loss, or a dictionary by output name for several outputs.
  private func lossConfig(_ serialize: (any Loss) -> ConfigValue) -> ConfigValue {
    heads.count == 1 ? serialize(loss) : .object(heads.map { ($0.name, serialize($0.loss)) })
  }

  /// The `training_config` of a legacy `.h5` file: the compile settings with the optimizer as
  /// `optimizer_config` and the loss in Keras 2's `{"class_name", "config"}` form, as Keras 3's
  /// `legacy_h5_format` writes them.
  var trainingConfig: ConfigValue {
    let loss = lossConfig { loss in
      guard case .object(let pairs) = loss.config else { return loss.config }
      return .object(pairs.filter { $0.0 == "class_name" || $0.0 == "config" })
    }
    return .object(
      [("loss", loss)] + trainingSettings
        + [
          (
            "optimizer_config",
            .object([("class_name", .string(type(of: optimizer).className)), ("config", optimizer.config)])
          )
        ])
  }

  private var lossWeightsConfig: ConfigValue {
    guard lossWeightsGiven else { return .null }
    return heads.count == 1 ? .double(Double(heads[0].weight)) : .object(heads.map { ($0.name, .double(Double($0.weight))) })
  }

  private func metricsConfig(_ specifiers: KeyPath<OutputHead, [MetricSpecifier]>, emptyIsNull: Bool) -> ConfigValue {
    if heads.allSatisfy({ $0[keyPath: specifiers].isEmpty }) && emptyIsNull { return .null }
    if heads.count == 1 { return .array(heads[0][keyPath: specifiers].map(\.config)) }
    return .object(heads.map { ($0.name, .array($0[keyPath: specifiers].map(\.config))) })
  }

  /// The keys after the loss, in Keras' order.
  private var trainingSettings: [(String, ConfigValue)] {
    [
      ("loss_weights", lossWeightsConfig), ("metrics", metricsConfig(\.metricSpecifiers, emptyIsNull: false)),
      ("weighted_metrics", metricsConfig(\.weightedMetricSpecifiers, emptyIsNull: true)),
      ("run_eagerly", false), ("steps_per_execution", 1), ("jit_compile", false),
    ]
  }
}

extension Layer {
  /// `module`, `class_name`, `config` and `registered_name` as Keras serializes the layer: a
  /// class registered with ``LayerRegistry`` under its package and `package>Class` name.
  var serializationHeader: [(String, ConfigValue)] {
    let className = type(of: self).className
    if let registered = LayerRegistry.registeredName(of: className) {
      let package = String(registered.prefix { $0 != ">" })
      return [("module", .string(package)), ("class_name", .string(className)), ("config", config), ("registered_name", .string(registered))]
    }
    return [("module", "keras.layers"), ("class_name", .string(className)), ("config", config), ("registered_name", nil)]
  }
}
