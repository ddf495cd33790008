/// Which query steps may attend to which key steps in ``Tensor/multiHeadAttention(query:key:value:mask:scale:zeroMaskedRows:dropout:precision:)``.
public struct AttentionMask: @unchecked Sendable {
  /// Keep flags `[B or 1, H or 1, T, S]` (nonzero: the query step sees the key step), if any.
  public var keep: Tensor?
  /// Whether query step `i` sees only key steps `j ≤ i` as well.
  public var causal: Bool

  /// A mask of `keep` flags, the causal rule, both or neither.
  public init(keep: Tensor? = nil, causal: Bool = false) {
    self.keep = keep
    self.causal = causal
  }
}

extension Tensor {
  /// Scaled dot-product attention of every head at once, with a fused, numerically stable masked
  /// softmax: `weights = softmax(scale · q kᵀ)` per batch row and head (masked key steps excluded),
  /// `output = weights · v`.
  ///
  /// `query` `[B, T, H, dk]`, `key` `[B, S, H, dk]`, `value` `[B, S, H, dv]` (the layout of a
  /// projection's output, read in place with strided GEMMs); returns the output `[B, T, H, dv]`
  /// and the weights `[B, H, T, S]`. A query step that sees no key step gets uniform weights or,
  /// with `zeroMaskedRows`, zero weights (the two paths of Keras' `MultiHeadAttention`).
  /// `dropout` (`[B, H, T, S]` of 0 and `1/(1-rate)`) multiplies the weights before the product
  /// with `value`; the returned weights are those before dropout. The output is differentiable
  /// with respect to `query`, `key` and `value`; the weights are not.
  ///
  /// The weights are the only `[B, H, T, S]` buffer kept for the backward pass (with the dropout
  /// mask when given); batch rows and heads are split between the threads.
  ///
  /// `precision` `.bfloat16` (Keras' `mixed_bfloat16`) rounds both operands of every product to
  /// bfloat16, forward (`q`, `k`; the weights after dropout, `v`) and backward (`g`, `v`, the
  /// weights and the score gradients, `q`, `k`), accumulating in float32; the softmax and its
  /// gradient stay float32.
  ///
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` naming the shapes that disagree.
  public static func multiHeadAttention(
    query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask = AttentionMask(), scale: Float,
    zeroMaskedRows: Bool = false, dropout: Tensor? = nil, precision: MatMulPrecision = .float32
  ) throws -> (output: Tensor, weights: Tensor) {
    let (output, weights) = try multiHeadAttention(
      query: query, key: key, value: value, mask: mask, scale: scale, zeroMaskedRows: zeroMaskedRows,
      dropout: dropout, precision: precision, keepWeights: true)
    return (output, weights!)
  }

  /// ``multiHeadAttention(query:key:value:mask:scale:zeroMaskedRows:dropout:precision:)`` that
  /// returns the weights only when `keepWeights` (or the output is differentiated, whose backward
  /// pass reads them): without, each (batch row, head) pair's weights live in a scratch block
  /// that stays in cache, and no `[B, H, T, S]` buffer is written.
  package static func multiHeadAttention(
    query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask = AttentionMask(), scale: Float,
    zeroMaskedRows: Bool = false, dropout: Tensor? = nil, precision: MatMulPrecision = .float32, keepWeights: Bool
  ) throws -> (output: Tensor, weights: Tensor?) {
    guard query.rank == 4, key.rank == 4, value.rank == 4, key.shape[0] == query.shape[0],
      key.shape[2] == query.shape[2], key.shape[3] == query.shape[3],
      Array(value.shape[0...2]) == Array(key.shape[0...2])
    else {
      throw TensorError.incompatibleShapes(operation: "multiHeadAttention", query.shape, key.shape + value.shape)
    }
    let layout = AttentionLayout(
      batch: query.shape[0], queries: query.shape[1], keys: key.shape[1], heads: query.shape[2],
      keyDim: query.shape[3], valueDim: value.shape[3], scale: scale)
    let scoreShape = [layout.batch, layout.heads, layout.queries, layout.keys]
    if let keep = mask.keep {
      guard keep.rank == 4, keep.shape[0] == 1 || keep.shape[0] == layout.batch,
        keep.shape[1] == 1 || keep.shape[1] == layout.heads, Array(keep.shape[2...]) == Array(scoreShape[2...])
      else { throw TensorError.incompatibleShapes(operation: "multiHeadAttention mask", keep.shape, scoreShape) }
    }
    if let dropout, dropout.shape != scoreShape {
      throw TensorError.incompatibleShapes(operation: "multiHeadAttention dropout", dropout.shape, scoreShape)
    }
    let rule = AttentionKeepRule(mask: mask, layout: layout)
    let differentiated = query.isRecorded || key.isRecorded || value.isRecorded
    // Every element of both is written by the forward pass.
    let weights = keepWeights || differentiated ? Tensor(shape: scoreShape, initializingWith: { _ in }) : nil
    let output = Tensor(
      shape: [layout.batch, layout.queries, layout.heads, layout.valueDim],
      initializingWith: { o in
        query.withUnsafeBufferPointer { q in
          key.withUnsafeBufferPointer { k in
            value.withUnsafeBufferPointer { v in
              Tensor.withOptionalPointer(weights) { p in
                rule.withFlags { flags in
                  Tensor.withOptionalPointer(dropout) { d in
                    let buffers = AttentionBuffers(
                      query: q.baseAddress!, key: k.baseAddress!, value: v.baseAddress!,
                      weights: p.map { UnsafeMutablePointer(mutating: $0) }, output: o.baseAddress!, dropout: d,
                      flags: flags)
                    AttentionKernel.forward(
                      layout, rule, buffers, zeroMaskedRows: zeroMaskedRows, precision: precision)
                  }
                }
              }
            }
          }
        }
      })
    guard differentiated, let savedWeights = weights else { return (output, weights) }
    let result = output.recorded(from: [query, key, value]) { g in
      var (dq, dk, dv) = (Tensor.zeros(query.shape), Tensor.zeros(key.shape), Tensor.zeros(value.shape))
      g.withUnsafeBufferPointer { gp in
        query.withUnsafeBufferPointer { q in
          key.withUnsafeBufferPointer { k in
            value.withUnsafeBufferPointer { v in
              savedWeights.withUnsafeBufferPointer { p in
                dq.withUnsafeMutableBufferPointer { dqp in
                  dk.withUnsafeMutableBufferPointer { dkp in
                    dv.withUnsafeMutableBufferPointer { dvp in
                      rule.withFlags { flags in
                        Tensor.withOptionalPointer(dropout) { d in
                          let buffers = AttentionBuffers(
                            query: q.baseAddress!, key: k.baseAddress!, value: v.baseAddress!,
                            weights: UnsafeMutablePointer(mutating: p.baseAddress!),
                            output: UnsafeMutablePointer(mutating: gp.baseAddress!), dropout: d, flags: flags)
                          AttentionKernel.backward(
                            layout, rule, buffers,
                            gradients: AttentionGradients(
                              query: dqp.baseAddress!, key: dkp.baseAddress!, value: dvp.baseAddress!),
                            precision: precision)
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      return [dq, dk, dv]
    }
    return (result, weights)
  }

  static func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0.baseAddress!) }
  }
}

/// The sizes of one attention call.
struct AttentionLayout: Sendable {
  let batch: Int
  let queries: Int
  let keys: Int
  let heads: Int
  let keyDim: Int
  let valueDim: Int
  let scale: Float

  var pairs: Int { batch * heads }
  var block: Int { queries * keys }
}

/// Whether query step `i` of batch row `b`, head `h` sees key step `j`.
struct AttentionKeepRule: @unchecked Sendable {
  let keep: Tensor?
  let causal: Bool
  let batchStride: Int
  let headStride: Int

  init(mask: AttentionMask, layout: AttentionLayout) {
    keep = mask.keep
    causal = mask.causal
    let block = layout.block
    batchStride = (mask.keep?.shape[0] ?? 1) == 1 ? 0 : (mask.keep!.shape[1] * block)
    headStride = (mask.keep?.shape[1] ?? 1) == 1 ? 0 : block
  }

  func withFlags<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let keep else { return body(nil) }
    return keep.withUnsafeBufferPointer { body($0.baseAddress!) }
  }
}

/// The raw buffers of one attention call (each part writes only its own batch rows and heads).
struct AttentionBuffers: @unchecked Sendable {
  let query: UnsafePointer<Float>
  let key: UnsafePointer<Float>
  let value: UnsafePointer<Float>
  /// The weights `[B, H, T, S]`: written by the forward pass, read by the backward one (nil:
  /// not kept, each pair's in scratch).
  let weights: UnsafeMutablePointer<Float>?
  /// The output `[B, T, H, dv]` (forward) or its gradient (backward).
  let output: UnsafeMutablePointer<Float>
  let dropout: UnsafePointer<Float>?
  let flags: UnsafePointer<Float>?
}

/// Where the backward pass writes the gradients of query, key and value.
struct AttentionGradients: @unchecked Sendable {
  let query: UnsafeMutablePointer<Float>
  let key: UnsafeMutablePointer<Float>
  let value: UnsafeMutablePointer<Float>
}
