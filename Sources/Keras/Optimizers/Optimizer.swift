import Foundation

/// The learning rate of an optimizer: a constant or a schedule over steps.
///
/// A float literal is a constant rate: `Adam(learningRate: 0.01)`; a schedule is
/// `SGD(learningRate: .schedule(ExponentialDecay(initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9)))`.
public enum LearningRate: Sendable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
  /// A fixed rate (which callbacks such as ReduceLROnPlateau may change).
  case constant(Float)
  /// A rate computed from the step count.
  case schedule(any LearningRateSchedule)

  /// A constant rate written as a float literal.
  public init(floatLiteral value: Float) { self = .constant(value) }
  /// A constant rate written as an integer literal.
  public init(integerLiteral value: Int) { self = .constant(Float(value)) }

  /// The rate at `step` (the number of updates already applied).
  public func value(at step: Int) -> Float {
    switch self {
    case .constant(let rate): return rate
    case .schedule(let schedule): return schedule(step)
    }
  }

  /// The `learning_rate` entry of an optimizer's Keras config: the float32 rate widened to a
  /// double (Keras reads it back from its float32 variable), or the serialized schedule.
  public var config: ConfigValue {
    switch self {
    case .constant(let rate): return .double(Double(rate))
    case .schedule(let schedule): return schedule.serialized
    }
  }
}

/// One kind of per-variable optimizer state (a "slot"): its Keras name and starting value.
public struct OptimizerSlot: Sendable, Equatable {
  /// Keras' name (`"momentum"`, `"velocity"`); the saved variable is `<variable name>_<name>`.
  public let name: String
  /// The value every element starts at (Keras' initializer: zeros, or a constant for Adagrad).
  public let initialValue: Float

  /// A slot named `name` starting at `initialValue`.
  public init(_ name: String, initialValue: Float = 0) {
    self.name = name
    self.initialValue = initialValue
  }
}

/// The state of one variable during an update: a buffer per slot, in ``Optimizer/slotNames`` order,
/// each as long as the variable.
public struct SlotBuffers {
  let storage: UnsafeMutableBufferPointer<Float>
  /// The number of elements of the variable, and of each slot.
  public let count: Int
  /// When the gradient came as row slices (an Embedding's, TensorFlow's `IndexedSlices`), per
  /// element the sum over the slices of the optimizer's ``Optimizer/sparseGradientStatistic``
  /// (squares or absolute values), which Keras on TensorFlow uses in place of `g²` or `|g|`;
  /// nil for a dense gradient.
  public let sparseStatistic: UnsafeBufferPointer<Float>?

  init(storage: UnsafeMutableBufferPointer<Float>, count: Int, sparseStatistic: UnsafeBufferPointer<Float>? = nil) {
    self.storage = storage
    self.count = count
    self.sparseStatistic = sparseStatistic
  }

  /// The buffer of the slot at `index` in ``Optimizer/slotNames``.
  public subscript(index: Int) -> UnsafeMutableBufferPointer<Float> {
    UnsafeMutableBufferPointer(rebasing: storage[index * count..<(index + 1) * count])
  }
}

/// What an optimizer takes from each row slice of a sparse gradient before the slices are summed:
/// Keras on TensorFlow squares (`ops.square`) or takes the absolute value (`ops.abs`) of an
/// `IndexedSlices` slice by slice, so a row looked up twice in a batch contributes `g₁² + g₂²`
/// where a dense gradient gives `(g₁ + g₂)²`.
public enum SparseGradientStatistic: Sendable {
  /// The optimizer only uses the summed gradient (SGD).
  case none
  /// The sum of the slices' squares (Adam, AdamW, Nadam, RMSprop, Adagrad, Adadelta).
  case sumOfSquares
  /// The sum of the slices' absolute values (Adamax).
  case sumOfAbsoluteValues
}

/// The base of every optimizer: one update loop over the variables with Keras' gradient
/// clipping (`clipnorm`, `clipvalue`, `global_clipnorm`, at most one of them), Keras' decoupled
/// weight decay, the step count and per-variable state ("slots"). Subclasses declare their
/// ``slotGroups`` and implement ``update(_:gradient:slots:learningRate:step:)`` for one variable
/// with their exact Keras rule.
///
/// Computing gradients and applying them are separate steps (``apply(_:to:)``), so gradients
/// can be averaged across processes in between. Updates run in place: in steady state a step
/// allocates no tensors.
///
/// A custom optimizer overrides the per-variable rule (and ``slotGroups`` when it keeps state):
/// ```swift
/// final class SignSGD: Optimizer, @unchecked Sendable {
///   override func update(
///     _ variable: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>, slots: SlotBuffers,
///     learningRate: Float, step: Int
///   ) {
///     for i in variable.indices where gradient[i] != 0 { variable[i] -= gradient[i] > 0 ? learningRate : -learningRate }
///   }
/// }
/// ```
open class Optimizer: @unchecked Sendable {
  /// The Keras class name (`"Adam"`, `"RMSprop"`), used in configs and for default names.
  open class var className: String { String(describing: self) }
  /// The name ``optimizer(named:)`` accepts for this class (`"adam"`).
  open class var kerasName: String { className.lowercased() }

  /// The optimizer's name (Keras' `name`, by default the unique snake_case class name: `adam`, `rm_sprop`).
  public let name: String
  /// The learning rate or schedule.
  public var learningRate: LearningRate
  /// Decoupled weight decay: before each update, `variable -= variable · weightDecay · learningRate`.
  public let weightDecay: Float?
  /// Clip each gradient to this L2 norm.
  public let clipnorm: Float?
  /// Clip each gradient element to `±clipvalue`.
  public let clipvalue: Float?
  /// Clip all gradients together to this global L2 norm.
  public let globalClipnorm: Float?
  /// The number of updates applied (Keras' `iterations`).
  public internal(set) var iterations = 0
  /// Whether the slots exist (after ``build(_:)`` or the first ``apply(_:to:)``).
  public private(set) var isBuilt = false
  /// The variables the optimizer was built for, in order.
  public private(set) var trainableVariables: [Variable] = []

  private var variableIndices: [ObjectIdentifier: Int] = [:]
  /// Per variable, all its slots back to back (`slotNames.count · count` elements).
  private var slotStorage: [Tensor] = []
  /// Per variable, a reused buffer for its clipped gradient (only when clipping is on).
  private var clippedGradients: [Tensor] = []
  /// Per variable, a reused buffer for the statistic of a sparse gradient (made when first needed).
  private var sparseStatistics: [Int: Tensor] = [:]
  private var excludedFromWeightDecay: Set<ObjectIdentifier> = []
  private var excludedFromWeightDecayPattern: Regex<AnyRegexOutput>?

  /// An optimizer with the given rate, weight decay and clipping (at most one of `clipnorm`,
  /// `clipvalue`, `globalClipnorm`; see ``checkClipping(clipnorm:clipvalue:globalClipnorm:)``).
  /// `name` defaults to a unique snake_case form of the class name.
  public init(
    learningRate: LearningRate, weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil,
    globalClipnorm: Float? = nil, name: String? = nil
  ) {
    do {
      try Self.checkClipping(clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    } catch {
      preconditionFailure("\(Self.className): \(error)")
    }
    self.learningRate = learningRate
    self.weightDecay = weightDecay
    self.clipnorm = clipnorm
    self.clipvalue = clipvalue
    self.globalClipnorm = globalClipnorm
    self.name = name ?? LayerNames.unique(LayerNames.snakeCase(Self.className))
  }

  /// Checks Keras' rule that at most one clipping argument is set, so that arguments read from a
  /// file can be rejected before an optimizer is made (its initializer stops the program instead).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` with Keras' message when two or more are set.
  public static func checkClipping(clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?) throws {
    guard [clipnorm, clipvalue, globalClipnorm].compactMap({ $0 }).count > 1 else { return }
    func text(_ value: Float?) -> String { value.map { "\(ConfigValue.decimal($0))" } ?? "None" }
    throw KerasError.invalidArgument(
      "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: clipnorm=\(text(clipnorm)), "
        + "clipvalue=\(text(clipvalue)), global_clipnorm=\(text(globalClipnorm))")
  }

  /// The rate the next update will use (Keras' `optimizer.learning_rate`).
  public var currentLearningRate: Float { learningRate.value(at: iterations) }

  // MARK: Subclass interface

  /// The per-variable state in Keras' creation order. Each group is one Keras
  /// `add_optimizer_variables` call: its slots are created variable by variable, and groups follow
  /// one another (Adam with amsgrad: `[[momentum, velocity], [velocity_hat]]`). Read once, when building.
  open var slotGroups: [[OptimizerSlot]] { [] }

  /// Optimizer-wide scalar state saved after the slots (Nadam's `u_product`), with Keras' names; none by default.
  open var sharedState: [(name: String, value: Float)] {
    get { [] }
    set {}
  }

  /// Called once per step, after clipping and weight decay and before the per-variable updates;
  /// `step` is the 1-based count including this update. Does nothing by default.
  open func beginStep(_ step: Int) {}

  /// Updates one variable in place with the optimizer's rule. `slots` holds this variable's state
  /// in ``Optimizer/slotNames`` order; `step` is the 1-based count including this update.
  open func update(
    _ variable: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>, slots: SlotBuffers,
    learningRate: Float, step: Int
  ) {
    fatalError("\(Self.self) must override update(_:gradient:slots:learningRate:step:)")
  }

  /// What ``update(_:gradient:slots:learningRate:step:)`` reads from ``SlotBuffers/sparseStatistic``
  /// when a gradient comes as row slices; `.none` (the default) when it only uses the summed gradient.
  open var sparseGradientStatistic: SparseGradientStatistic { .none }

  /// The optimizer-specific part of the Keras config, in Keras' key order (after the base keys).
  open var optimizerConfig: [(String, ConfigValue)] { [] }

  /// The names of the per-variable slots, in the order ``update(_:gradient:slots:learningRate:step:)`` sees them.
  public var slotNames: [String] { slotGroups.flatMap { $0.map(\.name) } }

  // MARK: Updating

  /// Creates the slots for `variables` (Keras' `optimizer.build`); does nothing when already built.
  /// Build before ``loadVariables(_:)`` to restore saved state into a new optimizer.
  public func build(_ variables: [Variable]) {
    guard !isBuilt else { return }
    let slots = slotGroups.flatMap { $0 }
    trainableVariables = variables
    variableIndices = Dictionary(
      variables.enumerated().map { (ObjectIdentifier($0.element), $0.offset) }, uniquingKeysWith: { first, _ in first })
    slotStorage = variables.map { variable in
      let count = variable.shape.reduce(1, *)
      return Tensor(shape: [slots.count * count]) { buffer in
        for (k, slot) in slots.enumerated() {
          buffer[k * count..<(k + 1) * count].update(repeating: slot.initialValue)
        }
      }
    }
    let clipping = [clipnorm, clipvalue, globalClipnorm].contains { ($0 ?? 0) > 0 }
    clippedGradients = clipping ? variables.map { Tensor.zeros($0.shape) } : []
    isBuilt = true
  }

  /// Applies one step of `gradients` to `variables` (same order, same shapes), building the
  /// optimizer for `variables` on the first call. As in Keras: clips the gradients, applies weight
  /// decay with the rate at the current step, updates every variable, then counts the step.
  /// Empty lists do nothing.
  ///
  /// - Throws: ``KerasError/weightMismatch(_:)`` when the counts or shapes differ, or a variable is
  ///   not one the optimizer was built for, before anything changes.
  public func apply(_ gradients: [Tensor], to variables: [Variable]) throws {
    try apply(gradients, sparse: [], to: variables)
  }

  /// ``apply(_:to:)`` where `sparse[i]`, when present and not nil, holds the row slices whose sum
  /// is `gradients[i]` (an Embedding's gradient, TensorFlow's `IndexedSlices`). As Keras on
  /// TensorFlow: `clipvalue` clips each slice, the norm clippings measure the slices and leave a
  /// dense gradient, and the optimizer's ``sparseGradientStatistic`` is taken slice by slice.
  func apply(_ gradients: [Tensor], sparse: [[SparseRows]?], to variables: [Variable]) throws {
    guard gradients.count == variables.count else {
      throw KerasError.weightMismatch(
        "optimizer '\(name)': \(gradients.count) gradients for \(variables.count) variables")
    }
    for (gradient, variable) in zip(gradients, variables) where gradient.shape != variable.shape {
      throw KerasError.weightMismatch(
        "optimizer '\(name)': gradient of shape \(gradient.shape) for variable '\(variable.name)' of shape \(variable.shape)"
      )
    }
    if isBuilt {
      for variable in variables where variableIndices[ObjectIdentifier(variable)] == nil {
        throw KerasError.weightMismatch(
          "optimizer '\(name)': variable '\(variable.name)' is not one of the \(trainableVariables.count) variables "
            + "it was built for; create a new optimizer for new variables")
      }
    }
    guard !gradients.isEmpty else { return }
    build(variables)

    let rate = learningRate.value(at: iterations)
    let step = iterations + 1
    let rows = gradients.indices.map { $0 < sparse.count ? sparse[$0] : nil }
    let globalScale = globalClipScale(gradients, rows)
    beginStep(step)
    for (k, (gradient, variable)) in zip(gradients, variables).enumerated() {
      let index = variableIndices[ObjectIdentifier(variable)]!
      if let weightDecay, usesWeightDecay(variable) {
        variable.update { v in
          for i in v.indices { v[i] -= v[i] * weightDecay * rate }
        }
      }
      if let slices = rows[k], globalScale == nil {
        applySparse(gradient, slices, to: variable, index: index, learningRate: rate, step: step)
        continue
      }
      withClippedGradient(gradient, slices: rows[k], index: index, globalScale: globalScale) { g in
        variable.update { v in
          slotStorage[index].withUnsafeMutableBufferPointer { storage in
            update(v, gradient: g, slots: SlotBuffers(storage: storage, count: v.count), learningRate: rate, step: step)
          }
        }
      }
    }
    iterations = step
  }

  // MARK: Clipping and weight decay

  /// One update from a gradient given as row slices: `clipnorm` scales the slices by their norm
  /// (`tf.clip_by_norm` of an `IndexedSlices`), `clipvalue` clips each slice, the summed gradient and
  /// the optimizer's statistic are built slice by slice, then the usual update runs.
  private func applySparse(
    _ gradient: Tensor, _ slices: [SparseRows], to variable: Variable, index: Int, learningRate rate: Float, step: Int
  ) {
    let clipvalue = clipvalue.flatMap { $0 > 0 ? $0 : nil }
    let clipnorm = clipnorm.flatMap { $0 > 0 ? $0 : nil }
    // tf.clip_by_norm: each slice value becomes g · c / max(‖slices‖, c).
    let normDivisor = clipnorm.map { Swift.max(Self.sumOfSquares(gradient, slices).squareRoot(), $0) }
    let resums = clipvalue != nil || clipnorm != nil
    let statistic = sparseGradientStatistic
    if statistic != .none, sparseStatistics[index] == nil { sparseStatistics[index] = Tensor.zeros(variable.shape) }
    var summed = gradient
    if resums {
      if clippedGradients.count <= index { clippedGradients = trainableVariables.map { Tensor.zeros($0.shape) } }
      summed = clippedGradients[index]
      clippedGradients[index] = Tensor(0)  // keep the buffer uniquely referenced while it is written
    }
    var statisticBuffer = statistic == .none ? Tensor(0) : sparseStatistics[index]!
    sparseStatistics[index] = nil
    /// Adds every slice (clipped with `clipvalue`) into `sum` when given, and its statistic into `stat`.
    func accumulate(into sum: UnsafeMutableBufferPointer<Float>?, _ stat: UnsafeMutableBufferPointer<Float>?) {
      sum?.update(repeating: 0)
      stat?.update(repeating: 0)
      for slice in slices {
        let n = slice.rowLength
        slice.values.withUnsafeBufferPointer { values in
          for (p, row) in slice.indices.scalars.enumerated() {
            for j in 0..<n {
              var g = values[p * n + j]
              if let clipnorm, let normDivisor { g = g * clipnorm / normDivisor }
              if let clipvalue { g = Swift.min(Swift.max(g, -clipvalue), clipvalue) }
              let target = Int(row) * n + j
              sum?[target] += g
              switch statistic {
              case .none: break
              case .sumOfSquares: stat![target] += g * g
              case .sumOfAbsoluteValues: stat![target] += Swift.abs(g)
              }
            }
          }
        }
      }
    }
    switch (resums, statistic != .none) {
    case (true, true):
      summed.withUnsafeMutableBufferPointer { sum in statisticBuffer.withUnsafeMutableBufferPointer { accumulate(into: sum, $0) } }
    case (true, false): summed.withUnsafeMutableBufferPointer { accumulate(into: $0, nil) }
    case (false, true): statisticBuffer.withUnsafeMutableBufferPointer { accumulate(into: nil, $0) }
    case (false, false): break
    }
    summed.withUnsafeBufferPointer { g in
      statisticBuffer.withUnsafeBufferPointer { stat in
        variable.update { v in
          slotStorage[index].withUnsafeMutableBufferPointer { storage in
            let slots = SlotBuffers(storage: storage, count: v.count, sparseStatistic: statistic == .none ? nil : stat)
            update(v, gradient: g, slots: slots, learningRate: rate, step: step)
          }
        }
      }
    }
    if resums { clippedGradients[index] = summed }
    if statistic != .none { sparseStatistics[index] = statisticBuffer }
  }

  /// Keras' `clip_by_global_norm` factor `c · min(1/‖g‖, 1/c)` (NaN when the norm is not finite), or nil.
  /// A sparse gradient's norm counts each slice (`ops.square` of an `IndexedSlices`).
  private func globalClipScale(_ gradients: [Tensor], _ rows: [[SparseRows]?]) -> Float? {
    guard let globalClipnorm, globalClipnorm > 0, (clipnorm ?? 0) <= 0 else { return nil }
    var sum: Float = 0
    for (gradient, slices) in zip(gradients, rows) { sum += Self.sumOfSquares(gradient, slices) }
    let norm = sum.squareRoot()
    return globalClipnorm * Swift.min(1 / norm, 1 / globalClipnorm) + (norm - norm)
  }

  /// The squared norm of a gradient: of its slices when it has them, else of the tensor.
  private static func sumOfSquares(_ tensor: Tensor, _ slices: [SparseRows]?) -> Float {
    guard let slices else { return sumOfSquares(tensor) }
    var sum: Double = 0
    for slice in slices {
      slice.values.withUnsafeBufferPointer { g in
        for x in g { sum += Double(x) * Double(x) }
      }
    }
    return Float(sum)
  }

  private static func sumOfSquares(_ tensor: Tensor) -> Float {
    tensor.withUnsafeBufferPointer { g in
      var sum: Double = 0
      for x in g { sum += Double(x) * Double(x) }
      return Float(sum)
    }
  }

  /// Calls `body` with the gradient clipped as Keras' `_clip_gradients` does (`clipnorm`, else
  /// `global_clipnorm`, else `clipvalue`, each only when positive), written into a reused buffer.
  private func withClippedGradient(
    _ gradient: Tensor, slices: [SparseRows]? = nil, index: Int, globalScale: Float?,
    _ body: (UnsafeBufferPointer<Float>) -> Void
  ) {
    let clipnorm = clipnorm.flatMap { $0 > 0 ? $0 : nil }
    let clipvalue = clipvalue.flatMap { $0 > 0 ? $0 : nil }
    guard clipnorm != nil || globalScale != nil || clipvalue != nil else {
      gradient.withUnsafeBufferPointer(body)
      return
    }
    gradient.withUnsafeBufferPointer { g in
      clippedGradients[index].withUnsafeMutableBufferPointer { clipped in
        if let clipnorm {
          // tf.clip_by_norm: g · c / max(‖g‖, c).
          let divisor = Swift.max(Self.sumOfSquares(gradient, slices).squareRoot(), clipnorm)
          for i in g.indices { clipped[i] = g[i] * clipnorm / divisor }
        } else if let globalScale {
          for i in g.indices { clipped[i] = g[i] * globalScale }
        } else if let clipvalue {
          for i in g.indices { clipped[i] = Swift.min(Swift.max(g[i], -clipvalue), clipvalue) }
        }
        body(UnsafeBufferPointer(clipped))
      }
    }
  }

  /// Excludes variables from weight decay (Keras' `exclude_from_weight_decay`): those in
  /// `variables`, and those whose name matches any of the regular expressions in `names`.
  ///
  /// - Throws: when a name is not a valid regular expression.
  public func excludeFromWeightDecay(variables: [Variable] = [], names: [String] = []) throws {
    excludedFromWeightDecay = Set(variables.map { ObjectIdentifier($0) })
    excludedFromWeightDecayPattern = names.isEmpty ? nil : try Regex(names.joined(separator: "|"))
  }

  private func usesWeightDecay(_ variable: Variable) -> Bool {
    if excludedFromWeightDecay.contains(ObjectIdentifier(variable)) { return false }
    if let pattern = excludedFromWeightDecayPattern, variable.name.contains(pattern) { return false }
    return true
  }

  // MARK: State

  private enum StateEntry {
    case iteration, learningRate
    case slot(variable: Int, slot: Int)
    case shared(Int)
  }

  /// Keras' `optimizer.variables`: `iteration`, `learning_rate` (unless a schedule drives it), then
  /// once built the slots group by group, variable by variable, then the shared state.
  private var stateEntries: [(name: String, shape: [Int], entry: StateEntry)] {
    var entries: [(name: String, shape: [Int], entry: StateEntry)] = [("iteration", [], .iteration)]
    if case .constant = learningRate { entries.append(("learning_rate", [], .learningRate)) }
    guard isBuilt else { return entries }
    var offset = 0
    for group in slotGroups {
      for (v, variable) in trainableVariables.enumerated() {
        for (j, slot) in group.enumerated() {
          entries.append(("\(variable.name)_\(slot.name)", variable.shape, .slot(variable: v, slot: offset + j)))
        }
      }
      offset += group.count
    }
    for (k, state) in sharedState.enumerated() { entries.append((state.name, [], .shared(k))) }
    return entries
  }

  /// The optimizer's state in Keras' `optimizer.variables` order, for saving: `iteration` (the step
  /// count as a scalar, exact up to 2²⁴ steps; Keras stores it as int64), `learning_rate` when it is
  /// a constant, then once built each slot as `<variable name>_<slot name>` (Keras orders them by
  /// slot group, then variable), then shared state such as Nadam's `u_product` (named `variable`).
  public var variablesForSaving: [(name: String, value: Tensor)] {
    stateEntries.map { entry in
      switch entry.entry {
      case .iteration: return (entry.name, Tensor(Float(iterations)))
      case .learningRate: return (entry.name, Tensor(learningRate.value(at: iterations)))
      case .slot(let v, let k): return (entry.name, slotTensor(variable: v, slot: k))
      case .shared(let k): return (entry.name, Tensor(sharedState[k].value))
      }
    }
  }

  /// The slots of every variable (copies), per variable in ``Optimizer/slotNames`` order.
  public var slots: [[Tensor]] {
    trainableVariables.indices.map { v in slotNames.indices.map { slotTensor(variable: v, slot: $0) } }
  }

  private func slotTensor(variable v: Int, slot k: Int) -> Tensor {
    let shape = trainableVariables[v].shape
    return slotStorage[v].withUnsafeBufferPointer { storage in
      let count = shape.reduce(1, *)
      return Tensor(shape: shape) { out in
        _ = out.initialize(from: storage[k * count..<(k + 1) * count])
      }
    }
  }

  /// Restores state saved from ``variablesForSaving`` (Keras' `load_own_variables`): same count,
  /// order and shapes. Call ``build(_:)`` with the same variables first so the slots exist.
  ///
  /// - Throws: ``KerasError/weightMismatch(_:)`` naming the expected variables when the count or a
  ///   shape differs, or the iteration is not a non-negative integer, before anything changes.
  public func loadVariables(_ values: [Tensor]) throws {
    let entries = stateEntries
    guard values.count == entries.count else {
      let hint = isBuilt ? "" : "; build(_:) the optimizer with the model's trainable variables first"
      throw KerasError.weightMismatch(
        "optimizer '\(name)': expected \(entries.count) variables (\(entries.map(\.name).joined(separator: ", "))), "
          + "got \(values.count)\(hint)")
    }
    for (entry, value) in zip(entries, values) where value.shape != entry.shape {
      throw KerasError.weightMismatch(
        "optimizer '\(name)': variable '\(entry.name)' has shape \(entry.shape), got \(value.shape)")
    }
    let iteration = values[0].scalar
    guard iteration >= 0, iteration == iteration.rounded(), iteration < 0x1p62 else {
      throw KerasError.weightMismatch("optimizer '\(name)': iteration must be a non-negative integer, got \(iteration)")
    }
    for (entry, value) in zip(entries, values) {
      switch entry.entry {
      case .iteration: iterations = Int(iteration)
      case .learningRate: learningRate = .constant(value.scalar)
      case .slot(let v, let k):
        value.withUnsafeBufferPointer { source in
          slotStorage[v].withUnsafeMutableBufferPointer { storage in
            _ = UnsafeMutableBufferPointer(rebasing: storage[k * source.count..<(k + 1) * source.count])
              .initialize(from: source)
          }
        }
      case .shared(let k): sharedState[k].value = value.scalar
      }
    }
  }

  // MARK: Config

  /// The Keras config (`optimizer.get_config()`): the base keys, then ``optimizerConfig``.
  public var config: ConfigValue {
    .object(
      [
        ("name", .string(name)), ("learning_rate", learningRate.config), ("weight_decay", .decimalOrNull(weightDecay)),
        ("clipnorm", .decimalOrNull(clipnorm)), ("global_clipnorm", .decimalOrNull(globalClipnorm)),
        ("clipvalue", .decimalOrNull(clipvalue)), ("use_ema", false), ("ema_momentum", 0.99),
        ("ema_overwrite_frequency", nil),
        ("loss_scale_factor", nil), ("gradient_accumulation_steps", nil),
      ] + optimizerConfig)
  }

  /// The config as `keras.optimizers.serialize` writes it (`{"module": "keras.optimizers", "class_name": ...}`).
  public var serialized: ConfigValue {
    .object([
      ("module", "keras.optimizers"), ("class_name", .string(Self.className)), ("config", config),
      ("registered_name", nil),
    ])
  }
}

extension ConfigValue {
  /// An optional Float argument as the decimal a Keras user typed, or null.
  static func decimalOrNull(_ value: Float?) -> ConfigValue { value.map { .decimal($0) } ?? .null }
}

extension Float {
  /// This hyperparameter as the Python float a Keras user typed (`0.9`, not `0.8999999761581421`),
  /// for arithmetic Keras does in double precision before casting to float32 (`1 - beta_1`).
  var pythonFloat: Double { Double("\(self)") ?? Double(self) }
}
