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
  ///   with the window's `H` and `W`, or a window has no pixel inside the image.
  public func pooled2D(_ mode: PoolingMode, window: Window2D) throws -> Tensor {
    let operation = mode == .max ? "max_pool2d" : "avg_pool2d"
    guard rank == 4, shape[1] == window.inputHeight, shape[2] == window.inputWidth,
      window.padTop < window.kernelHeight, window.padLeft < window.kernelWidth
    else {
      throw TensorError.incompatibleShapes(
        operation: operation, shape, [-1, window.inputHeight, window.inputWidth, shape.last ?? -1])
    }
    let (images, channels) = (shape[0], shape[3])
    let layout = Convolution2D.Layout(window: window, images: images, channels: channels, groups: 1)
    let outputs = window.outputHeight * window.outputWidth
    // Per output element: the input element it came from (max), or per output pixel its pixel count (average).
    var sources = [Int32](repeating: 0, count: mode == .max ? images * outputs * channels : images * outputs)
    let input = self
    let output = Tensor(shape: [images, window.outputHeight, window.outputWidth, channels]) { out in
      input.withUnsafeBufferPointer { src in
        sources.withUnsafeMutableBufferPointer { sources in
          let shared = SharedBuffers(input: UnsafeMutablePointer(mutating: src.baseAddress!), output: out.baseAddress!)
          let picks = PoolingSources(pointer: sources.baseAddress!)
          Convolution2D.forEachImagePart(layout) { part in
            for n in part {
              for oh in 0..<window.outputHeight {
                for ow in 0..<window.outputWidth {
                  let pixel = n * outputs + oh * window.outputWidth + ow
                  let destination = shared.output + pixel * channels
                  destination.initialize(repeating: mode == .max ? -.infinity : 0, count: channels)
                  var count: Int32 = 0
                  window.forEachTap(row: oh, column: ow) { _, inputPixel in
                    let offset = (n * layout.pixelsPerImage + inputPixel) * channels
                    let source = shared.input + offset
                    count += 1
                    if mode == .max {
                      for c in 0..<channels where source[c] > destination[c] || count == 1 {
                        destination[c] = source[c]
                        picks.pointer[pixel * channels + c] = Int32(offset + c)
                      }
                    } else {
                      for c in 0..<channels { destination[c] += source[c] }
                    }
                  }
                  if mode == .average {
                    picks.pointer[pixel] = count
                    let scale = 1 / Float(count)
                    for c in 0..<channels { destination[c] *= scale }
                  }
                }
              }
            }
          }
        }
      }
    }
    let picked = sources
    let inputShape = shape
    return output.recorded(from: self) { g in
      Tensor(shape: inputShape) { dx in
        g.withUnsafeBufferPointer { pg in
          picked.withUnsafeBufferPointer { picks in
            let shared = SharedBuffers(input: UnsafeMutablePointer(mutating: pg.baseAddress!), output: dx.baseAddress!)
            let picks = PoolingSources(pointer: UnsafeMutablePointer(mutating: picks.baseAddress!))
            Convolution2D.forEachImagePart(layout) { part in
              let imageSize = layout.pixelsPerImage * channels
              (shared.output + part.lowerBound * imageSize).initialize(repeating: 0, count: part.count * imageSize)
              for n in part {
                for oh in 0..<window.outputHeight {
                  for ow in 0..<window.outputWidth {
                    let pixel = n * outputs + oh * window.outputWidth + ow
                    let gradient = shared.input + pixel * channels
                    if mode == .max {
                      for c in 0..<channels { shared.output[Int(picks.pointer[pixel * channels + c])] += gradient[c] }
                    } else {
                      let scale = 1 / Float(picks.pointer[pixel])
                      window.forEachTap(row: oh, column: ow) { _, inputPixel in
                        let destination = shared.output + (n * layout.pixelsPerImage + inputPixel) * channels
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

/// The pooling sources shared by the threads, each writing its own images' entries.
private struct PoolingSources: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Int32>
}
