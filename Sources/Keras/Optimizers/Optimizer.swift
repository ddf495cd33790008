import Foundation

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
  var slotStorage: [Tensor] = []
  /// Per variable, a reused buffer for its clipped gradient (only when clipping is on).
  var clippedGradients: [Tensor] = []
  /// Per variable, a reused buffer for the statistic of a sparse gradient (made when first needed).
  var sparseStatistics: [Int: Tensor] = [:]
  var excludedFromWeightDecay: Set<ObjectIdentifier> = []
  var excludedFromWeightDecayPattern: Regex<AnyRegexOutput>?

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

}

extension Float {
  /// This hyperparameter as the Python float a Keras user typed (`0.9`, not `0.8999999761581421`),
  /// for arithmetic Keras does in double precision before casting to float32 (`1 - beta_1`).
  var pythonFloat: Double { Double("\(self)") ?? Double(self) }
}
