extension Tensor {
  /// The `.bfloat16` 2-D convolution on oneDNN's bfloat16 primitives (``convolved2D(kernel:bias:window:groups:relu:precision:)``,
  /// shapes already checked): the input converted to bfloat16 once (and kept for the kernel's
  /// gradient), the kernel by the primitive's reorder, the output written in bfloat16 (rounded once,
  /// bias added, after ReLU) and widened to float32. Backward, the arriving gradient is rounded to
  /// bfloat16 in the pass that applies ReLU's gradient and sums the bias's; backward data and
  /// backward weights read it and write float32 gradients.
  ///
  /// Nil when oneDNN has no bfloat16 primitive for a pass the call needs (the caller then takes
  /// the reference path).
  func bfloat16Convolved2D(
    kernel: Tensor, bias: Tensor?, layout: Convolution2D.Layout, filters: Int, relu: Bool
  ) -> Tensor? {
    let (window, rows) = (layout.window, layout.rows)
    guard rows > 0 else { return nil }
    func plan(_ kind: ConvolutionPrimitive.Kind, bias: Bool = false, relu: Bool = false) -> ConvolutionPrimitive.Plan? {
      ConvolutionPrimitive.plan(
        .init(
          window: window, images: layout.images, channels: layout.channels, filters: filters, groups: layout.groups,
          bias: bias, relu: relu, kind: kind, bfloat16: true))
    }
    let inputIsRecorded = isRecorded
    let differentiated = inputIsRecorded || kernel.isRecorded || bias?.isRecorded == true
    guard let forwardPlan = plan(.inference, bias: bias != nil, relu: relu) else { return nil }
    let weightsPlan = differentiated ? plan(.backwardWeights) : nil
    let dataPlan = inputIsRecorded ? plan(.backwardData) : nil
    guard !differentiated || weightsPlan != nil, !inputIsRecorded || dataPlan != nil else { return nil }

    let pixels = layout.images * layout.pixelsPerImage
    let input = withUnsafeBufferPointer {
      BFloat16Matmul.convert($0.baseAddress!, ld: layout.channels, rows: pixels, columns: layout.channels)
    }
    let count = rows * filters
    let written = BFloat16Matrix(count: count)
    kernel.withUnsafeBufferPointer { pk in
      if let bias {
        bias.withUnsafeBufferPointer { forwardPlan.run(input.raw, pk.baseAddress!, $0.baseAddress!, written.raw) }
      } else {
        forwardPlan.run(input.raw, pk.baseAddress!, nil, written.raw)
      }
    }
    let output = Tensor(shape: [layout.images, window.outputHeight, window.outputWidth, filters]) {
      BFloat16Matmul.expand(written.pointer, into: $0.baseAddress!, count: count)
    }
    output.storage.holdsBFloat16 = true

    let (inputShape, hasBias) = (shape, bias != nil)
    let inputs = bias.map { [self, kernel, $0] } ?? [self, kernel]
    return output.recorded(from: inputs) { outputGradient in
      let gradient = BFloat16Matrix(count: count)
      var biasGradient: Tensor? = nil
      outputGradient.withUnsafeBufferPointer { pg in
        output.withUnsafeBufferPointer { py in
          func pass(_ sums: UnsafeMutablePointer<Float>?) {
            Convolution2D.reluAndBiasGradientBFloat16(
              pg.baseAddress!, reluOutput: relu ? py.baseAddress! : nil, masked: gradient.pointer, sums: sums,
              rows: rows,
              filters: filters)
          }
          if hasBias {
            biasGradient = Tensor(shape: [filters]) { pass($0.baseAddress!) }
          } else {
            pass(nil)
          }
        }
      }
      let kernelGradient = weightsPlan.map { weightsPlan in
        Tensor(shape: kernel.shape) { out in
          out.initialize(repeating: 0)
          weightsPlan.run(input.raw, gradient.raw, nil, out.baseAddress!)
        }
      }
      let inputGradient = dataPlan.map { dataPlan in
        Tensor(shape: inputShape) { out in
          kernel.withUnsafeBufferPointer { dataPlan.run(gradient.raw, $0.baseAddress!, nil, out.baseAddress!) }
        }
      }
      return hasBias ? [inputGradient, kernelGradient, biasGradient] : [inputGradient, kernelGradient]
    }
  }
}
