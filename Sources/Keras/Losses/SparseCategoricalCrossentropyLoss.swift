extension Losses {
  /// Categorical cross-entropy with integer labels: `-log(softmax(x)[label])` with `x` the logits,
  /// or `x = log(clip(yPred, ε, 1 - ε))` for probabilities, ε = 1e-7
  /// (`keras.losses.SparseCategoricalCrossentropy`).
  ///
  /// Labels `[N]` or `[N, 1]` with predictions `[N, C]` give per-sample losses `[N]`; labels
  /// `[N, T]` with predictions `[N, T, C]` give `[N, T]`. Labels are class ids in `0..<C`.
  ///
  /// With `ignoreClass`, labels equal to it contribute 0 and the others are scaled by
  /// `count / validCount`, so the `sum_over_batch_size` reduction averages over the valid labels
  /// only, as Keras' loss mask does.
  public struct SparseCategoricalCrossentropy: Loss {
    /// Whether predictions are logits rather than probabilities.
    public let fromLogits: Bool
    /// A label value (such as -1 or 255) whose entries are left out of the loss.
    public let ignoreClass: Int?
    /// The name in logs and configs.
    public let name: String

    /// Sparse categorical cross-entropy with Keras' defaults: probabilities, no ignored class.
    public init(fromLogits: Bool = false, ignoreClass: Int? = nil, name: String = "sparse_categorical_crossentropy") {
      self.fromLogits = fromLogits
      self.ignoreClass = ignoreClass
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the labels are not shaped like the
    ///   predictions without their class axis, or a label is not a whole number in `0..<C`.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      try call(yTrue, yPred, logits: nil)
    }

    /// The per-sample losses, from the logits when `yPred` came out of a softmax (not with
    /// `ignoreClass`: Keras then masks the output into a new tensor and clips the probabilities).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the labels are not shaped like the
    ///   predictions without their class axis, or a label is not a whole number in `0..<C`.
    public func call(_ yTrue: Tensor, _ yPred: Tensor, logits: OutputLogits?) throws -> Tensor {
      var (labels, predictions) = try sameRank(yTrue, yPred)
      if labels.rank == predictions.rank, labels.shape.last == 1 { labels = try labels.squeezing(axes: [-1]) }
      guard predictions.rank >= 1, labels.shape == Array(predictions.shape.dropLast()) else {
        throw shapeMismatch(
          yTrue, yPred, "do not fit: labels must be shaped like the predictions without their last axis")
      }
      let classes = predictions.shape[predictions.rank - 1]
      let valid = labels.scalars.map { label in ignoreClass.map { label != Float($0) } ?? true }
      let classIDs = try IntTensor(
        shape: labels.shape, scalars: zip(labels.scalars, valid).map { try classID($0, valid: $1, classes: classes) })

      let modelLogits =
        ignoreClass == nil ? try usableLogits(logits, of: .softmax, output: yPred, predictions: predictions) : nil
      let x: Tensor
      if let modelLogits {
        x = modelLogits
      } else if fromLogits {
        x = predictions
      } else {
        x = predictions.clipped(min: Losses.epsilon, max: 1 - Losses.epsilon).log()
      }
      let losses = try -(Tensor.oneHot(classIDs, depth: classes) * x.logSoftmax(axis: -1)).sum(axis: -1)
      guard ignoreClass != nil else { return losses }

      let validCount = valid.filter { $0 }.count
      let scale = validCount == 0 ? 0 : Float(valid.count) / Float(validCount)
      let weights = try Tensor(shape: labels.shape, scalars: valid.map { $0 ? scale : 0 })
      return try Tensor.where(weights, losses, Tensor(0)) * weights
    }

    /// The class id of one label (0 for an ignored one).
    ///
    /// Unlike Keras, whose cast to int64 truncates `1.5` to class 1, a label that is not a whole
    /// number throws: it is always a data bug (e.g. normalized or one-hot-averaged labels).
    private func classID(_ label: Float, valid: Bool, classes: Int, row: Int? = nil) throws -> Int32 {
      guard valid else { return 0 }
      guard label.isFinite, label == label.rounded(), label >= 0, label < Float(classes) else {
        let isWhole = label.isFinite && label == label.rounded()
        let shown = isWhole ? String(Int(label)) : "\(label)"
        let site = row.map { "y row \($0): " } ?? ""
        throw KerasError.invalidArgument(
          "Loss '\(name)': \(site)label \(shown) "
            + (isWhole || !label.isFinite
              ? "is outside the valid range 0..<\(classes) of the \(classes) classes"
              : "is not a class id: labels must be whole numbers in 0..<\(classes)"))
      }
      return Int32(label)
    }

    /// Checks every label of `yTrue` (`[N, ...]`) against `classes`, naming the first bad row,
    /// so that `fit` throws before any weight changes rather than at the batch holding it.
    func checkLabels(_ yTrue: Tensor, classes: Int) throws {
      guard yTrue.rank >= 1, yTrue.shape[0] > 0 else { return }
      let perRow = Swift.max(1, yTrue.count / yTrue.shape[0])
      try yTrue.withUnsafeBufferPointer { labels in
        for (index, label) in labels.enumerated() {
          let valid = ignoreClass.map { label != Float($0) } ?? true
          _ = try classID(label, valid: valid, classes: classes, row: index / perRow)
        }
      }
    }

    /// Keras' serialized `SparseCategoricalCrossentropy`, with `from_logits` and `ignore_class`.
    public var config: ConfigValue {
      kerasConfig(
        className: "SparseCategoricalCrossentropy",
        [("from_logits", .bool(fromLogits)), ("ignore_class", ignoreClass.map { .int($0) } ?? .null)])
    }
  }
}

extension Loss where Self == Losses.SparseCategoricalCrossentropy {
  /// Sparse categorical cross-entropy of probabilities (`"sparse_categorical_crossentropy"`).
  public static var sparseCategoricalCrossentropy: Losses.SparseCategoricalCrossentropy {
    Losses.SparseCategoricalCrossentropy()
  }

  /// Sparse categorical cross-entropy with the given options.
  public static func sparseCategoricalCrossentropy(fromLogits: Bool = false, ignoreClass: Int? = nil)
    -> Losses.SparseCategoricalCrossentropy
  {
    Losses.SparseCategoricalCrossentropy(fromLogits: fromLogits, ignoreClass: ignoreClass)
  }
}

extension LossClass {
  /// ``Losses/SparseCategoricalCrossentropy`` in the registry of losses.
  static let sparseCategoricalCrossentropy = LossClass(
    "SparseCategoricalCrossentropy", aliases: ["sparse_categorical_crossentropy"],
    makeDefault: { Losses.SparseCategoricalCrossentropy() },
    make: { reader, name in
      var ignoreClass: Int? = nil
      if let value = reader.value("ignore_class"), value != .null { ignoreClass = try reader.int("ignore_class") }
      return Losses.SparseCategoricalCrossentropy(
        fromLogits: try reader.bool("from_logits", default: false), ignoreClass: ignoreClass,
        name: name ?? "sparse_categorical_crossentropy")
    })
}
