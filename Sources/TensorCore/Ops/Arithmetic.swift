#if canImport(Glibc)
  import Glibc
#endif

// Binary arithmetic with NumPy broadcasting, and the scalar forms. Tensor–tensor
// operators throw on shapes that do not broadcast; tensor–scalar ones cannot fail.

extension Tensor {
  /// Elementwise sum with broadcasting.
  public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
    // Equal shapes (a residual connection): the loop written out, split between the threads.
    let result =
      lhs.shape == rhs.shape
      ? ElementwiseKernels.add(lhs, rhs) : try ElementwiseKernels.zip(lhs, rhs, operation: "add", +)
    return result.recorded(from: lhs, rhs) { g in
      (try g.sumToShape(lhs.shape), try g.sumToShape(rhs.shape))
    }
  }

  /// Elementwise difference with broadcasting.
  public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
    let result = try ElementwiseKernels.zip(lhs, rhs, operation: "subtract", -)
    return result.recorded(from: lhs, rhs) { g in
      (try g.sumToShape(lhs.shape), try (-g).sumToShape(rhs.shape))
    }
  }

  /// Elementwise product with broadcasting.
  public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
    let result = try ElementwiseKernels.zip(lhs, rhs, operation: "multiply", *)
    return result.recorded(from: lhs, rhs) { g in
      (try (g * rhs).sumToShape(lhs.shape), try (g * lhs).sumToShape(rhs.shape))
    }
  }

  /// Elementwise quotient with broadcasting.
  public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor {
    let result = try ElementwiseKernels.zip(lhs, rhs, operation: "divide", /)
    return result.recorded(from: lhs, rhs) { g in
      let da = try (g / rhs).sumToShape(lhs.shape)
      let db = try (-(g * result.detached()) / rhs).sumToShape(rhs.shape)
      return (da, db)
    }
  }

  /// Elementwise negation.
  public static prefix func - (x: Tensor) -> Tensor {
    ElementwiseKernels.map(x) { -$0 }.recorded(from: x) { -$0 }
  }

  /// Adds `rhs` to every element.
  public static func + (lhs: Tensor, rhs: Float) -> Tensor {
    ElementwiseKernels.map(lhs) { $0 + rhs }.recorded(from: lhs) { $0 }
  }
  /// Adds `lhs` to every element.
  public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs + lhs }
  /// Subtracts `rhs` from every element.
  public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs + (-rhs) }
  /// `lhs` minus every element.
  public static func - (lhs: Float, rhs: Tensor) -> Tensor { -rhs + lhs }
  /// Multiplies every element by `rhs`.
  public static func * (lhs: Tensor, rhs: Float) -> Tensor {
    ElementwiseKernels.map(lhs) { $0 * rhs }.recorded(from: lhs) { $0 * rhs }
  }
  /// Multiplies every element by `lhs`.
  public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs * lhs }
  /// Divides every element by `rhs`.
  public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs * (1 / rhs) }
  /// `lhs` divided by every element.
  public static func / (lhs: Float, rhs: Tensor) -> Tensor {
    let result = ElementwiseKernels.map(rhs) { lhs / $0 }
    return result.recorded(from: rhs) { g in ElementwiseKernels.map3(g, result, rhs) { g, y, x in -g * y / x } }
  }

  /// Every element raised to the power `exponent` (broadcast).
  ///
  /// The gradient with respect to the exponent uses `log(base)` and is NaN for negative bases, as in TensorFlow.
  public func pow(_ exponent: Tensor) throws -> Tensor {
    let result = try ElementwiseKernels.zip(self, exponent, operation: "pow") { Glibc.powf($0, $1) }
    let base = self
    return result.recorded(from: base, exponent) { g in
      let db = try (g * exponent * base.pow(exponent - 1)).sumToShape(base.shape)
      let logBase = ElementwiseKernels.map(base) { $0 == 0 ? 0 : Glibc.logf($0) }
      let de = try (g * result.detached() * logBase).sumToShape(exponent.shape)
      return (db, de)
    }
  }

  /// Every element raised to the power `exponent`.
  public func pow(_ exponent: Float) -> Tensor {
    let result = ElementwiseKernels.map(self) { Glibc.powf($0, exponent) }
    return result.recorded(from: self) { [self] g in
      ElementwiseKernels.map3(g, self, result) { g, x, _ in g * exponent * Glibc.powf(x, exponent - 1) }
    }
  }

  /// The elementwise minimum with broadcasting; ties send the gradient to `self`.
  public func minimum(_ other: Tensor) throws -> Tensor {
    try selecting(other, operation: "minimum") { $0 <= $1 }
  }

  /// The elementwise maximum with broadcasting; ties send the gradient to `self`.
  public func maximum(_ other: Tensor) throws -> Tensor {
    try selecting(other, operation: "maximum") { $0 >= $1 }
  }

  /// The elementwise minimum with a scalar.
  public func minimum(_ value: Float) -> Tensor { clipped(min: -.infinity, max: value) }
  /// The elementwise maximum with a scalar.
  public func maximum(_ value: Float) -> Tensor { clipped(min: value, max: .infinity) }

  private func selecting(_ other: Tensor, operation: String, takeSelf: @escaping (Float, Float) -> Bool) throws
    -> Tensor
  {
    let result = try ElementwiseKernels.zip(self, other, operation: operation) { takeSelf($0, $1) ? $0 : $1 }
    return result.recorded(from: self, other) { [self] g in
      let mask = try ElementwiseKernels.zip(self, other, operation: operation) { takeSelf($0, $1) ? 1 : 0 }
      return (try (g * mask).sumToShape(shape), try (g * (1 - mask)).sumToShape(other.shape))
    }
  }

  /// Every element limited to `[min, max]`; the gradient passes where the element is inside.
  public func clipped(min lower: Float, max upper: Float) -> Tensor {
    let result = ElementwiseKernels.map(self) { Swift.min(Swift.max($0, lower), upper) }
    return result.recorded(from: self) { [self] g in
      ElementwiseKernels.map3(g, self, self) { g, x, _ in x >= lower && x <= upper ? g : 0 }
    }
  }

  /// `a` where `condition` is non-zero, else `b`, all three broadcast together (`np.where`).
  public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    let shape = try Shape.broadcast(
      try Shape.broadcast(condition.shape, a.shape, operation: "where"), b.shape, operation: "where")
    let c = try condition.broadcast(to: shape).detached()
    let result = ElementwiseKernels.map3(c, try a.broadcast(to: shape).detached(), try b.broadcast(to: shape).detached()) {
      c, x, y in c != 0 ? x : y
    }
    return result.recorded(from: a, b) { g in
      let mask = ElementwiseKernels.map(c) { $0 != 0 ? 1 : 0 }
      return (try (g * mask).sumToShape(a.shape), try (g * (1 - mask)).sumToShape(b.shape))
    }
  }
}

// Comparisons give 1 where true and 0 where false; they carry no gradient.
extension Tensor {
  /// 1 where equal, else 0 (broadcast).
  public func equal(_ other: Tensor) throws -> Tensor {
    try ElementwiseKernels.zip(self, other, operation: "equal") { $0 == $1 ? 1 : 0 }
  }
  /// 1 where not equal, else 0 (broadcast).
  public func notEqual(_ other: Tensor) throws -> Tensor {
    try ElementwiseKernels.zip(self, other, operation: "notEqual") { $0 != $1 ? 1 : 0 }
  }
  /// 1 where `self < other`, else 0 (broadcast).
  public func less(_ other: Tensor) throws -> Tensor {
    try ElementwiseKernels.zip(self, other, operation: "less") { $0 < $1 ? 1 : 0 }
  }
  /// 1 where `self <= other`, else 0 (broadcast).
  public func lessEqual(_ other: Tensor) throws -> Tensor {
    try ElementwiseKernels.zip(self, other, operation: "lessEqual") { $0 <= $1 ? 1 : 0 }
  }
  /// 1 where `self > other`, else 0 (broadcast).
  public func greater(_ other: Tensor) throws -> Tensor {
    try ElementwiseKernels.zip(self, other, operation: "greater") { $0 > $1 ? 1 : 0 }
  }
  /// 1 where `self >= other`, else 0 (broadcast).
  public func greaterEqual(_ other: Tensor) throws -> Tensor {
    try ElementwiseKernels.zip(self, other, operation: "greaterEqual") { $0 >= $1 ? 1 : 0 }
  }
}
