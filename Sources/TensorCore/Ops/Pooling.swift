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
                destination.initialize(repeating: mode == .max ? -.infinity : 0, count: channels)
                let count = window.forEachPixel(image: n, row: oh, column: ow, channels: channels) { offset in
                  let source = shared.input + offset
                  if mode == .max {
                    for c in 0..<channels { destination[c] = Swift.max(destination[c], source[c]) }
                  } else {
                    for c in 0..<channels { destination[c] += source[c] }
                  }
                }
                if mode == .average {
                  let scale = 1 / Float(count)
                  for c in 0..<channels { destination[c] *= scale }
                }
              }
            }
          }
        }
      }
    }
    let inputShape = shape
    return output.recorded(from: self) { g in
      // Max: each output's gradient goes to the first pixel of its window holding the maximum
      // (TensorFlow's choice on ties); average: spread evenly over the window's pixels.
      Tensor(shape: inputShape) { dx in
        g.withUnsafeBufferPointer { pg in
          input.withUnsafeBufferPointer { px in
            output.withUnsafeBufferPointer { py in
              let gradients = SharedBuffers(input: UnsafeMutablePointer(mutating: pg.baseAddress!), output: dx.baseAddress!)
              let values = SharedBuffers(
                input: UnsafeMutablePointer(mutating: px.baseAddress!), output: UnsafeMutablePointer(mutating: py.baseAddress!))
              Convolution2D.forEachImagePart(layout) { part in
                let imageSize = layout.pixelsPerImage * channels
                (gradients.output + part.lowerBound * imageSize).initialize(repeating: 0, count: part.count * imageSize)
                for n in part {
                  for oh in 0..<window.outputHeight {
                    for ow in 0..<window.outputWidth {
                      let pixel = (n * outputs + oh * window.outputWidth + ow) * channels
                      let gradient = gradients.input + pixel
                      if mode == .max {
                        PoolingGradient.routeToFirstMaximum(
                          window: window, image: n, row: oh, column: ow, channels: channels,
                          input: values.input, maximum: values.output + pixel, gradient: gradient,
                          into: gradients.output)
                      } else {
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
    }
  }
}

/// The max-pooling gradient of one output pixel, eight channels at a time.
enum PoolingGradient {
  /// Adds `gradient[c]` to the first pixel (row by row) of the window whose channel `c` in `input` equals
  /// `maximum[c]`, for every channel `c`.
  @inline(__always)
  static func routeToFirstMaximum(
    window: Window2D, image: Int, row: Int, column: Int, channels: Int, input: UnsafePointer<Float>,
    maximum: UnsafePointer<Float>, gradient: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>
  ) {
    var c = 0
    while c + 8 <= channels {
      let target = UnsafeRawPointer(maximum + c).loadUnaligned(as: SIMD8<Float>.self)
      let g = UnsafeRawPointer(gradient + c).loadUnaligned(as: SIMD8<Float>.self)
      var open = SIMDMask<SIMD8<Int32>>(repeating: true)
      _ = window.forEachPixel(image: image, row: row, column: column, channels: channels) { offset in
        let hit = open .& (UnsafeRawPointer(input + offset + c).loadUnaligned(as: SIMD8<Float>.self) .== target)
        let destination = UnsafeMutableRawPointer(dx + offset + c)
        let sum = destination.loadUnaligned(as: SIMD8<Float>.self) + SIMD8<Float>(repeating: 0).replacing(with: g, where: hit)
        destination.storeBytes(of: sum, as: SIMD8<Float>.self)
        open = open .& .!hit
      }
      c += 8
    }
    for c in c..<channels {
      var routed = false
      _ = window.forEachPixel(image: image, row: row, column: column, channels: channels) { offset in
        if !routed && input[offset + c] == maximum[c] {
          dx[offset + c] += gradient[c]
          routed = true
        }
      }
    }
  }
}
