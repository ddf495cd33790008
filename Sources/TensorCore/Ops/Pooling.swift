/// How a 2-D pooling window reduces its pixels.
public enum PoolingMode: Sendable {
  /// The largest pixel; its gradient goes to that pixel alone (the first, on ties).
  case max
  /// The mean of the pixels inside the image (padding not counted, as TensorFlow).
  case average
}

extension Tensor {
  /// Pools each channel of channels-last images over the windows of `window` (`tf.nn.max_pool2d`,
  /// `tf.nn.avg_pool2d`): input `[N, H, W, C]`, output `[N, H', W', C]`. Padding pixels never count.
  ///
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` when the input is not `[N, H, W, C]`
  ///   with the window's `H` and `W`, a window has no pixel inside the image, or the window is dilated.
  public func pooled2D(_ mode: PoolingMode, window: Window2D) throws -> Tensor {
    let operation = mode == .max ? "max_pool2d" : "avg_pool2d"
    guard rank == 4, shape[1] == window.inputHeight, shape[2] == window.inputWidth,
      window.padTop < window.kernelHeight, window.padLeft < window.kernelWidth,
      window.dilationHeight == 1, window.dilationWidth == 1
    else {
      throw TensorError.incompatibleShapes(
        operation: operation, shape, [-1, window.inputHeight, window.inputWidth, shape.last ?? -1])
    }
    let (images, channels) = (shape[0], shape[3])
    let layout = Convolution2D.Layout(window: window, images: images, channels: channels, groups: 1)
    if mode == .max { return MaxPooling.pooled(self, layout: layout) }
    let outputs = window.outputHeight * window.outputWidth
    let input = self
    let output = Tensor(shape: [images, window.outputHeight, window.outputWidth, channels]) { out in
      input.withUnsafeBufferPointer { src in
        let shared = SharedBuffers(input: UnsafeMutablePointer(mutating: src.baseAddress!), output: out.baseAddress!)
        Convolution2D.forEachImagePart(layout) { part in
          for n in part {
            for oh in 0..<window.outputHeight {
              for ow in 0..<window.outputWidth {
                let destination = shared.output + (n * outputs + oh * window.outputWidth + ow) * channels
                destination.initialize(repeating: 0, count: channels)
                let count = window.forEachPixel(image: n, row: oh, column: ow, channels: channels) { offset in
                  let source = shared.input + offset
                  for c in 0..<channels { destination[c] += source[c] }
                }
                let scale = 1 / Float(count)
                for c in 0..<channels { destination[c] *= scale }
              }
            }
          }
        }
      }
    }
    let inputShape = shape
    return output.recorded(from: self) { g in
      // Each output's gradient spread evenly over its window's pixels inside the image.
      Tensor(shape: inputShape) { dx in
        g.withUnsafeBufferPointer { pg in
          let gradients = SharedBuffers(input: UnsafeMutablePointer(mutating: pg.baseAddress!), output: dx.baseAddress!)
          Convolution2D.forEachImagePart(layout) { part in
            let imageSize = layout.pixelsPerImage * channels
            (gradients.output + part.lowerBound * imageSize).initialize(repeating: 0, count: part.count * imageSize)
            for n in part {
              for oh in 0..<window.outputHeight {
                for ow in 0..<window.outputWidth {
                  let gradient = gradients.input + (n * outputs + oh * window.outputWidth + ow) * channels
                  let (rows, columns) = (window.rows(at: oh), window.columns(at: ow))
                  let scale = 1 / Float(rows.count * columns.count)
                  _ = window.forEachPixel(image: n, row: oh, column: ow, channels: channels) { offset in
                    let destination = gradients.output + offset
                    for c in 0..<channels { destination[c] += gradient[c] * scale }
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
