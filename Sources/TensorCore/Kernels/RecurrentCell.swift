/// What one step of a recurrent layer computes: the kind of cell, its number of units `u`
/// and its activations, with Keras' weight layout and gate order.
///
/// With input features `F` and `G` gates (SimpleRNN 1, LSTM 4, GRU 3) the kernel is
/// `[F, G·u]`, the recurrent kernel `[u, G·u]`, the bias `[G·u]` (GRU with
/// `resetAfter`: `[2, G·u]`, the input bias row then the recurrent bias row).
///
/// - SimpleRNN: `h' = act(x·W + b + h·U)`.
/// - LSTM, gates i, f, c, o: `i = ract(x·W_i + h·U_i + b_i)` (f, o alike),
///   `c' = f·c + i·act(x·W_c + h·U_c + b_c)`, `h' = o·act(c')`.
/// - GRU, gates z, r, h: `z = ract(x·W_z + h·U_z + b_z)` (r alike), then with `resetAfter`
///   `hh = act(x·W_h + b_ih + r·(h·U_h + b_rh))`, without it `hh = act(x·W_h + b_h + (r·h)·U_h)`;
///   `h' = z·h + (1 - z)·hh`.
public struct RecurrentCell: Sendable, Equatable, CustomStringConvertible {
  /// The cell's formulas.
  public enum Kind: Sendable, Equatable {
    /// Keras' `SimpleRNN`.
    case simpleRNN
    /// Keras' `LSTM`.
    case lstm
    /// Keras' `GRU`; `resetAfter` applies the reset gate after the recurrent product (Keras' default).
    case gru(resetAfter: Bool)
  }

  /// The cell's formulas.
  public var kind: Kind
  /// The width `u` of the state.
  public var units: Int
  /// The activation of the candidate state and the output (`act` above).
  public var activation: RecurrentActivation
  /// The activation of the gates (`ract` above); unused by SimpleRNN.
  public var recurrentActivation: RecurrentActivation

  /// A cell of `kind` with `units` units and the given activations.
  public init(
    kind: Kind, units: Int, activation: RecurrentActivation = .tanh, recurrentActivation: RecurrentActivation = .sigmoid
  ) {
    self.kind = kind
    self.units = units
    self.activation = activation
    self.recurrentActivation = recurrentActivation
  }

  /// Keras' `SimpleRNN` cell.
  public static func simpleRNN(units: Int, activation: RecurrentActivation = .tanh) -> RecurrentCell {
    RecurrentCell(kind: .simpleRNN, units: units, activation: activation)
  }

  /// Keras' `LSTM` cell.
  public static func lstm(
    units: Int, activation: RecurrentActivation = .tanh, recurrentActivation: RecurrentActivation = .sigmoid
  ) -> RecurrentCell {
    RecurrentCell(kind: .lstm, units: units, activation: activation, recurrentActivation: recurrentActivation)
  }

  /// Keras' `GRU` cell (`resetAfter` defaults to true, as in Keras 3).
  public static func gru(
    units: Int, resetAfter: Bool = true, activation: RecurrentActivation = .tanh,
    recurrentActivation: RecurrentActivation = .sigmoid
  ) -> RecurrentCell {
    RecurrentCell(
      kind: .gru(resetAfter: resetAfter), units: units, activation: activation, recurrentActivation: recurrentActivation
    )
  }

  /// The number `G` of gates stacked along the kernels' columns.
  public var gateCount: Int {
    switch kind {
    case .simpleRNN: return 1
    case .lstm: return 4
    case .gru: return 3
    }
  }

  /// The number of states carried between steps: `[h, c]` for LSTM, `[h]` otherwise.
  public var stateCount: Int { kind == .lstm ? 2 : 1 }

  /// Whether the bias has a second row for the recurrent product (GRU with `resetAfter`).
  var hasRecurrentBias: Bool { kind == .gru(resetAfter: true) }

  /// The kernel's shape for `features` input features: `[F, G·u]`.
  public func kernelShape(features: Int) -> [Int] { [features, gateCount * units] }

  /// The recurrent kernel's shape: `[u, G·u]`.
  public var recurrentKernelShape: [Int] { [units, gateCount * units] }

  /// The bias' shape: `[G·u]`, or `[2, G·u]` for GRU with `resetAfter`.
  public var biasShape: [Int] { hasRecurrentBias ? [2, gateCount * units] : [gateCount * units] }

  /// The Keras layer name and the settings, e.g. `GRU(units: 3, resetAfter: false, activation: tanh, ...)`.
  public var description: String {
    let activations = "activation: \(activation), recurrentActivation: \(recurrentActivation)"
    switch kind {
    case .simpleRNN: return "SimpleRNN(units: \(units), activation: \(activation))"
    case .lstm: return "LSTM(units: \(units), \(activations))"
    case .gru(let resetAfter): return "GRU(units: \(units), resetAfter: \(resetAfter), \(activations))"
    }
  }
}
