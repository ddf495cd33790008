import Synchronization

/// A named, mutable tensor that gradients are taken with respect to: a layer's weight.
///
/// Reading ``value`` inside ``valueWithGradient(for:of:)`` connects the computation to
/// this variable; assigning it replaces the tensor (as an optimizer step does).
public final class Variable: @unchecked Sendable {
  /// The name Keras gives the weight (`kernel`, `bias`, `recurrent_kernel`, ...).
  public var name: String
  /// Whether optimizers update this variable.
  public var trainable: Bool
  var storedValue: Tensor
  /// Counts the assignments and in-place updates of the value (keys ``bfloat16Value``'s cache).
  private(set) var version = 0
  /// The value rounded to bfloat16 and the ``version`` it was rounded at.
  let bfloat16Cache = Mutex<(version: Int, value: Tensor)?>(nil)

  /// A variable holding `value`.
  public init(_ value: Tensor, name: String = "variable", trainable: Bool = true) {
    self.storedValue = value.detached()
    self.name = name
    self.trainable = trainable
  }

  /// The current tensor; while a gradient is taken for this variable, reads are recorded.
  public var value: Tensor {
    get {
      if let tape = Tape.current, let node = tape.watchedVariables[ObjectIdentifier(self)] {
        var tracked = storedValue
        tracked.tapeID = tape.id
        tracked.tapeNode = node
        return tracked
      }
      return storedValue
    }
    set {
      storedValue = newValue.detached()
      version &+= 1
    }
  }

  /// The shape of the value.
  public var shape: [Int] { storedValue.shape }

  /// Updates the value in place (no copy when the storage is not shared), e.g. for an optimizer step.
  public func update(_ body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
    version &+= 1
    try storedValue.withUnsafeMutableBufferPointer(body)
  }
}
