extension Tensor {
  /// The 2-D convolution of channels-last images with a Keras kernel, plus a bias (`tf.nn.conv2d`).
  ///
  /// Input `[N, H, W, C]`, `kernel` `[kh, kw, C/groups, F]`, `bias` `[F]` or nil; output
  /// `[N, H', W', F]` with `H'`, `W'` from `window`. With `groups` above 1 the channels are split into
  /// `groups` equal parts, part `g` convolved with filters `g·F/groups ..< (g+1)·F/groups`.
  /// Runs on oneDNN's convolution primitives (forward, backward data, backward weights) where they
  /// measure faster; otherwise every window becomes a row of a matrix (im2col) multiplied by the
  /// kernel in one GEMM per group, the gradients two more GEMMs and the rows added back onto their
  /// pixels. With `relu` the result is `max(·, 0)` in the same pass, its gradient passing where the
  /// result is positive.
  ///
  /// With `precision` `.bfloat16` (Keras' `mixed_bfloat16`) the input and kernel are read as
  /// bfloat16, products are summed in float32 and the output (bias added, after ReLU) is rounded to
  /// bfloat16, as is the gradient arriving at it; the input's and kernel's gradients are the float32
  /// sums. Where oneDNN multiplies bfloat16 natively (``BFloat16/hardwareSupported``) this runs
  /// oneDNN's bfloat16 convolution primitives; elsewhere, or with `SWIFTKERAS_BFLOAT16=reference`,
  /// the float32 convolution of bfloat16-rounded operands, the same numbers up to the order of sums.
  ///
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` when the input, kernel, bias or window
  ///   disagree; ``TensorError/invalidArgument(operation:_:)`` when `groups` does not divide `C` and `F`.
  public func convolved2D(
    kernel: Tensor, bias: Tensor? = nil, window: Window2D, groups: Int = 1, relu: Bool = false,
    precision: MatMulPrecision = .float32
  ) throws -> Tensor {
    try convolved2D(
      kernel: kernel, bias: bias, window: window, groups: groups, relu: relu, path: ConvolutionPrimitive.choice,
      precision: precision)
  }

  /// ``convolved2D(kernel:bias:window:groups:relu:precision:)`` on the path `path` chooses (tests
  /// run both); `nativeBFloat16` false takes the bfloat16 reference path on any CPU.
  func convolved2D(
    kernel: Tensor, bias: Tensor?, window: Window2D, groups: Int, relu: Bool, path: ConvolutionPrimitive.Choice,
    precision: MatMulPrecision = .float32, nativeBFloat16: Bool = BFloat16Matmul.multipliesNatively
  ) throws -> Tensor {
    let input = self
    guard rank == 4, kernel.rank == 4, shape[1] == window.inputHeight, shape[2] == window.inputWidth,
      kernel.shape[0] == window.kernelHeight, kernel.shape[1] == window.kernelWidth
    else { throw TensorError.incompatibleShapes(operation: "conv2d", shape, kernel.shape) }
    let (channels, filters) = (shape[3], kernel.shape[3])
    guard groups > 0, channels % groups == 0, filters % groups == 0 else {
      throw TensorError.invalidArgument(
        operation: "conv2d", "groups (\(groups)) must divide the input channels (\(channels)) and filters (\(filters))")
    }
    guard kernel.shape[2] == channels / groups else {
      throw TensorError.incompatibleShapes(operation: "conv2d", shape, kernel.shape)
    }
    if let bias, bias.shape != [filters] {
      throw TensorError.incompatibleShapes(operation: "conv2d bias", [filters], bias.shape)
    }
    let layout = Convolution2D.Layout(window: window, images: shape[0], channels: channels, groups: groups)
    if precision == .bfloat16 {
      if nativeBFloat16, path != .im2col,
        let output = bfloat16Convolved2D(kernel: kernel, bias: bias, layout: layout, filters: filters, relu: relu)
      {
        return output
      }
      // The reference: float32 arithmetic on bfloat16 operands, the output (and its gradient) rounded.
      return try bfloat16Operand().convolved2D(
        kernel: kernel.bfloat16Operand(), bias: bias, window: window, groups: groups, relu: relu, path: path
      ).roundedToBFloat16()
    }
    let (rows, k, fg) = (layout.rows, layout.columns, filters / groups)
    // oneDNN's convolution primitives where they measure faster, else im2col + GEMM.
    let onednn = rows > 0 && ConvolutionPrimitive.isPreferred(for: layout, choice: path)
    func plan(_ kind: ConvolutionPrimitive.Kind, bias hasBias: Bool) -> ConvolutionPrimitive.Plan? {
      guard onednn else { return nil }
      return ConvolutionPrimitive.plan(
        .init(
          window: window, images: shape[0], channels: channels, filters: filters, groups: groups, bias: hasBias,
          relu: kind == .inference && relu, kind: kind, winograd: path != .direct))
    }
    let forwardPlan = plan(.inference, bias: bias != nil)
    /// The windows as rows of a matrix (the input itself for a 1×1 kernel), made when a GEMM needs them.
    func lowered() -> Tensor {
      layout.isIdentity
        ? input
        : Tensor(shape: [groups, rows, k]) { out in
          input.withUnsafeBufferPointer { Convolution2D.lower($0.baseAddress!, into: out.baseAddress!, layout) }
        }
    }
    let columns = forwardPlan == nil ? lowered() : nil
    let output = Tensor(shape: [shape[0], window.outputHeight, window.outputWidth, filters]) { out in
      guard rows > 0 else { return }
      if let forwardPlan {
        input.withUnsafeBufferPointer { px in
          kernel.withUnsafeBufferPointer { pk in
            if let bias {
              bias.withUnsafeBufferPointer { forwardPlan.run(px.baseAddress!, pk.baseAddress!, $0.baseAddress!, out.baseAddress!) }
            } else {
              forwardPlan.run(px.baseAddress!, pk.baseAddress!, nil, out.baseAddress!)
            }
          }
        }
        return
      }
      columns!.withUnsafeBufferPointer { pc in
        kernel.withUnsafeBufferPointer { pk in
          if let bias {
            bias.withUnsafeBufferPointer { pb in
              for r in 0..<rows { (out.baseAddress! + r * filters).update(from: pb.baseAddress!, count: filters) }
            }
          }
          for g in 0..<groups {
            GEMM.sgemm(
              transposeA: false, transposeB: false, m: rows, n: fg, k: k, a: pc.baseAddress! + g * rows * k, lda: k,
              b: pk.baseAddress! + g * fg, ldb: filters, beta: bias == nil ? 0 : 1, c: out.baseAddress! + g * fg,
              ldc: filters)
          }
          if relu {
            for i in 0..<out.count { out[i] = Swift.max(out[i], 0) }
          }
        }
      }
    }
    let inputIsRecorded = input.isRecorded
    let inputs = bias.map { [input, kernel, $0] } ?? [input, kernel]
    return output.recorded(from: inputs) { outputGradient in
      // On oneDNN the bias's gradient is summed here, in the pass that applies ReLU's gradient.
      let onednnBackward =
        rows > 0 && plan(.backwardWeights, bias: false) != nil
        && (!inputIsRecorded || plan(.backwardData, bias: false) != nil)
      var biasSums: [Float]? = onednnBackward && bias != nil ? [Float](repeating: 0, count: filters) : nil
      func reluAndBias(_ masked: UnsafeMutablePointer<Float>?) {
        outputGradient.withUnsafeBufferPointer { pg in
          output.withUnsafeBufferPointer { py in
            if biasSums != nil {
              biasSums!.withUnsafeMutableBufferPointer {
                Convolution2D.reluAndBiasGradient(
                  pg.baseAddress!, reluOutput: relu ? py.baseAddress! : nil, masked: masked, sums: $0.baseAddress!,
                  rows: rows, filters: filters)
              }
            } else {
              Convolution2D.reluAndBiasGradient(
                pg.baseAddress!, reluOutput: py.baseAddress!, masked: masked, sums: nil, rows: rows, filters: filters)
            }
          }
        }
      }
      let g = relu ? Tensor(shape: output.shape) { reluAndBias($0.baseAddress!) } : outputGradient
      if !relu && biasSums != nil { reluAndBias(nil) }
      if onednnBackward, let weightsPlan = plan(.backwardWeights, bias: false) {
        var kernelGradient = Tensor.zeros(kernel.shape)
        let biasGradient = biasSums.map { sums in Tensor(shape: [filters]) { $0.baseAddress!.initialize(from: sums, count: filters) } }
        input.withUnsafeBufferPointer { px in
          g.withUnsafeBufferPointer { pg in
            kernelGradient.withUnsafeMutableBufferPointer { pk in
              weightsPlan.run(px.baseAddress!, pg.baseAddress!, nil, pk.baseAddress!)
            }
          }
        }
        var inputGradient: Tensor? = nil
        if inputIsRecorded, let dataPlan = plan(.backwardData, bias: false) {
          inputGradient = Tensor(shape: input.shape) { out in
            g.withUnsafeBufferPointer { pg in
              kernel.withUnsafeBufferPointer { pk in dataPlan.run(pg.baseAddress!, pk.baseAddress!, nil, out.baseAddress!) }
            }
          }
        }
        return biasGradient.map { [inputGradient, kernelGradient, $0] } ?? [inputGradient, kernelGradient]
      }
      let columns = columns ?? lowered()
      let kernelGradient = Tensor(shape: kernel.shape) { out in
        out.initialize(repeating: 0)
        guard rows > 0 else { return }
        columns.withUnsafeBufferPointer { pc in
          g.withUnsafeBufferPointer { pg in
            for group in 0..<groups {
              GEMM.sgemm(
                transposeA: true, transposeB: false, m: k, n: fg, k: rows, a: pc.baseAddress! + group * rows * k, lda: k,
                b: pg.baseAddress! + group * fg, ldb: filters, c: out.baseAddress! + group * fg, ldc: filters)
            }
          }
        }
      }
      var inputGradient: Tensor? = nil
      if inputIsRecorded {
        let columnGradient = Tensor(shape: [groups, rows, k]) { out in
          g.withUnsafeBufferPointer { pg in
            kernel.withUnsafeBufferPointer { pk in
              for group in 0..<groups {
                GEMM.sgemm(
                  transposeA: false, transposeB: true, m: rows, n: k, k: fg, a: pg.baseAddress! + group * fg,
                  lda: filters, b: pk.baseAddress! + group * fg, ldb: filters, c: out.baseAddress! + group * rows * k,
                  ldc: k)
              }
            }
          }
        }
        inputGradient =
          layout.isIdentity
          ? try columnGradient.reshaped(to: input.shape)
          : Tensor(shape: input.shape) { out in
            columnGradient.withUnsafeBufferPointer { Convolution2D.raise($0.baseAddress!, into: out.baseAddress!, layout) }
          }
      }
      guard bias != nil else { return [inputGradient, kernelGradient] }
      let biasGradient = Tensor(shape: [filters]) { out in
        out.initialize(repeating: 0)
        guard rows > 0 else { return }
        let ones = [Float](repeating: 1, count: rows)
        g.withUnsafeBufferPointer { pg in
          GEMM.sgemm(
            transposeA: false, transposeB: false, m: 1, n: filters, k: rows, a: ones, lda: rows, b: pg.baseAddress!,
            ldb: filters, c: out.baseAddress!, ldc: filters)
        }
      }
      return [inputGradient, kernelGradient, biasGradient]
    }
  }
}
