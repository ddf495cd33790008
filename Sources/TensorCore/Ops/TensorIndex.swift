/// One entry of a NumPy-style tensor subscript: what `i`, `a:b:s`, `:`, `...`, `None` or an
/// integer array is in `x[...]`.
///
/// Call sites rarely name this type: an `Int`, a Swift range, a `stride(from:to:by:)`, an
/// `[Int]` or an ``IntTensor`` is an index by itself, and the rest are written with a leading dot.
///
/// | NumPy | Swift |
/// |---|---|
/// | `x[1]`, `x[-1]` | `x[1]`, `x[-1]` |
/// | `x[1:3]`, `x[1:]`, `x[:3]`, `x[-2:]` | `x[1..<3]`, `x[1...]`, `x[..<3]`, `x[(-2)...]` |
/// | `x[1:3]` | `x[1...2]` (a closed range includes its upper bound) |
/// | `x[:, 0]` | `x[.all, 0]` or `x[0..., 0]` |
/// | `x[::2]`, `x[1:8:3]`, `x[::-1]` | `x[.slice(by: 2)]`, `x[.slice(from: 1, to: 8, by: 3)]`, `x[.slice(by: -1)]` |
/// | `x[..., -1]` | `x[.ellipsis, -1]` |
/// | `x[:, None]` | `x[.all, .newAxis]` |
/// | `x[[0, 2, 5]]` | `x[[0, 2, 5]]` or `x[IntTensor([0, 2, 5])]` |
public struct TensorIndex: Equatable, Sendable, CustomStringConvertible {
  enum Kind: Equatable, Sendable {
    /// One position (negative counts from the end); the axis is removed.
    case index(Int)
    /// NumPy's `start:end:step`: negative bounds count from the end, bounds past the axis are clamped.
    case slice(start: Int?, end: Int?, step: Int)
    /// The whole axis, NumPy's `:`.
    case all
    /// As many `.all` as the axes the other entries leave, NumPy's `...`.
    case ellipsis
    /// A new axis of size 1, NumPy's `None`.
    case newAxis
    /// The positions a Swift `stride` yields, each checked against the axis (an arithmetic progression).
    case positions([Int])
    /// An integer-array gather (NumPy's advanced indexing); negative entries count from the end.
    case array(IntTensor)
  }

  let kind: Kind
  /// How the index was written, when that differs from what ``description`` would rebuild (a Swift range).
  private let spelling: String?

  init(_ kind: Kind, spelling: String? = nil) {
    self.kind = kind
    self.spelling = spelling
  }

  /// The index as it is written in Swift, e.g. `.all`, `1..<3`, `.slice(by: 2)`, `[0, 2, 5]`.
  public var description: String {
    if let spelling { return spelling }
    switch kind {
    case .index(let i): return "\(i)"
    case .slice(let start, let end, let step):
      let parts = [start.map { "from: \($0)" }, end.map { "to: \($0)" }, "by: \(step)"]
      return ".slice(\(parts.compactMap { $0 }.joined(separator: ", ")))"
    case .all: return ".all"
    case .ellipsis: return ".ellipsis"
    case .newAxis: return ".newAxis"
    case .positions(let p):
      guard let first = p.first, let last = p.last else { return "an empty stride" }
      return "stride(from: \(first), through: \(last), by: \(p.count > 1 ? p[1] - p[0] : 1))"
    case .array(let t):
      if t.rank == 1 && t.count <= 8 { return "[\(t.scalars.map { String($0) }.joined(separator: ", "))]" }
      return "an IntTensor of shape \(t.shape)"
    }
  }

  /// Whether both are the same entry, however they were spelled: `0..<3` equals `.slice(from: 0, to: 3, by: 1)`
  /// and `0...2`.
  public static func == (lhs: TensorIndex, rhs: TensorIndex) -> Bool { lhs.kind == rhs.kind }
}

extension TensorIndex: ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
  /// The index `value` (negative counts from the end), so `[TensorIndex]` lists can hold plain integers.
  public init(integerLiteral value: Int) { self.init(.index(value)) }

  /// An integer-array gather, so `[TensorIndex]` lists can hold `[0, 2, 5]`.
  public init(arrayLiteral elements: Int...) { self.init(.array(IntTensor(elements))) }
}

/// A value that can stand as one entry of a ``Tensor`` subscript: `Int`, the Swift ranges over `Int`,
/// `stride(from:to:by:)` and `stride(from:through:by:)`, `[Int]`, ``IntTensor`` and ``TensorIndex``.
public protocol TensorIndexConvertible {
  /// This value as a subscript entry.
  var tensorIndex: TensorIndex { get }
}

extension TensorIndexConvertible where Self == TensorIndex {
  /// The whole axis (NumPy's `:`); `x[.all, 0]` is NumPy's `x[:, 0]`.
  public static var all: TensorIndex { TensorIndex(.all) }

  /// As many whole axes as the other entries leave (NumPy's `...`); `x[.ellipsis, -1]` is `x[..., -1]`.
  /// A subscript may hold one.
  public static var ellipsis: TensorIndex { TensorIndex(.ellipsis) }

  /// A new axis of size 1 (NumPy's `None` or `np.newaxis`); `x[.all, .newAxis]` is `x[:, None]`.
  public static var newAxis: TensorIndex { TensorIndex(.newAxis) }

  /// NumPy's slice `start:end:step`: every `step`-th position from `start` up to but excluding `end`
  /// (`step` may be negative to walk backwards).
  ///
  /// As in NumPy, a negative bound counts from the end, a bound past the axis is clamped, and an
  /// omitted bound means the axis' first or last position in the direction of `step`:
  /// `.slice(by: 2)` is `::2` and `.slice(by: -1)` is `::-1`. A `step` of 0 is refused when the
  /// subscript is taken.
  public static func slice(from start: Int? = nil, to end: Int? = nil, by step: Int) -> TensorIndex {
    TensorIndex(.slice(start: start, end: end, step: step))
  }
}

extension TensorIndex: TensorIndexConvertible {
  /// This index itself.
  public var tensorIndex: TensorIndex { self }
}

extension Int: TensorIndexConvertible {
  /// The position `self` (negative counts from the end); the axis is removed, as in NumPy.
  public var tensorIndex: TensorIndex { TensorIndex(.index(self)) }
}

extension Range: TensorIndexConvertible where Bound == Int {
  /// NumPy's `lowerBound:upperBound`.
  public var tensorIndex: TensorIndex {
    TensorIndex(.slice(start: lowerBound, end: upperBound, step: 1), spelling: "\(lowerBound)..<\(upperBound)")
  }
}

extension ClosedRange: TensorIndexConvertible where Bound == Int {
  /// NumPy's `lowerBound:upperBound+1`; `(-3)...(-1)` is the last three positions, `-3:`.
  public var tensorIndex: TensorIndex {
    TensorIndex(
      .slice(start: lowerBound, end: upperBound == -1 ? nil : upperBound + 1, step: 1),
      spelling: "\(lowerBound)...\(upperBound)")
  }
}

extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
  /// NumPy's `lowerBound:`; `0...` is the whole axis.
  public var tensorIndex: TensorIndex {
    TensorIndex(.slice(start: lowerBound, end: nil, step: 1), spelling: "\(lowerBound)...")
  }
}

extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
  /// NumPy's `:upperBound`.
  public var tensorIndex: TensorIndex {
    TensorIndex(.slice(start: nil, end: upperBound, step: 1), spelling: "..<\(upperBound)")
  }
}

extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
  /// NumPy's `:upperBound+1`.
  public var tensorIndex: TensorIndex {
    TensorIndex(.slice(start: nil, end: upperBound == -1 ? nil : upperBound + 1, step: 1), spelling: "...\(upperBound)")
  }
}

extension StrideTo: TensorIndexConvertible where Element == Int {
  /// Exactly the positions this sequence yields, each of which must lie in the axis (no counting
  /// from the end, no clamping: use ``TensorIndexConvertible/slice(from:to:by:)`` with a leading dot
  /// for NumPy's `start:end:step`).
  public var tensorIndex: TensorIndex { TensorIndex(.positions(Array(self))) }
}

extension StrideThrough: TensorIndexConvertible where Element == Int {
  /// Exactly the positions this sequence yields, each of which must lie in the axis.
  public var tensorIndex: TensorIndex { TensorIndex(.positions(Array(self))) }
}

extension Array: TensorIndexConvertible where Element == Int {
  /// An integer-array gather (NumPy's `x[[0, 2, 5]]`); negative entries count from the end.
  public var tensorIndex: TensorIndex { TensorIndex(.array(IntTensor(self))) }
}

extension IntTensor: TensorIndexConvertible {
  /// An integer-array gather: the indexed axis is replaced by this tensor's shape.
  public var tensorIndex: TensorIndex { TensorIndex(.array(self)) }
}
