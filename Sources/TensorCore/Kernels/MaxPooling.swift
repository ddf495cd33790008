/// 2-D max pooling of channels-last images that records where each maximum came from, so that the
/// gradient goes straight to its pixel.
///
/// The forward pass keeps, for each output value, the position `i·kw + j` in its window (row `i`,
/// column `j`) of the first pixel holding the maximum (TensorFlow's choice on ties), as an `Int32`
/// (a byte would need widening to the floats' lanes, which Swift's SIMD types do one lane at a
/// time). Both passes run sixteen channels at a time (every operand a vector: the SIMD operators
/// taking a scalar run one lane at a time), over the images split between the threads. Where the
/// windows do not overlap (stride at least the window, as Keras' default), the backward pass writes
/// every input pixel once (its gradient or zero) instead of zeroing the input and adding.
enum MaxPooling {
  /// The window positions of a forward pass, freed with the last pullback holding them.
  final class Positions: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int32>
    init(count: Int) { pointer = .allocate(capacity: Swift.max(count, 1)) }
    deinit { pointer.deallocate() }
  }

  /// Pointers shared by the parts of a pass, each part touching only its own images.
  struct Buffers: @unchecked Sendable {
    let input: UnsafeMutablePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let positions: UnsafeMutablePointer<Int32>?
  }

  /// `input` `[N, H, W, C]` max-pooled over `layout`'s windows (which hold at least one pixel each),
  /// recorded for its gradient when `input` is being differentiated.
  static func pooled(_ input: Tensor, layout: Convolution2D.Layout) -> Tensor {
    let window = layout.window
    let channels = layout.channels
    let outputShape = [layout.images, window.outputHeight, window.outputWidth, channels]
    let count = layout.images * layout.rowsPerImage * channels
    let positions = input.isRecorded ? Positions(count: count) : nil
    let output = Tensor(shape: outputShape) { out in
      guard count > 0 else { return }
      input.withUnsafeBufferPointer { px in
        let buffers = Buffers(
          input: UnsafeMutablePointer(mutating: px.baseAddress!), output: out.baseAddress!, positions: positions?.pointer)
        Convolution2D.forEachImagePart(layout) { images in forward(buffers, layout: layout, images: images) }
      }
    }
    guard let positions else { return output }
    let inputShape = input.shape
    return output.recorded(from: input) { g in
      Tensor(shape: inputShape) { dx in
        guard dx.count > 0 else { return }
        g.withUnsafeBufferPointer { pg in
          let buffers = Buffers(
            input: UnsafeMutablePointer(mutating: pg.baseAddress!), output: dx.baseAddress!, positions: positions.pointer)
          Convolution2D.forEachImagePart(layout) { images in backward(buffers, layout: layout, images: images) }
        }
      }
    }
  }

  /// The maxima (and, when kept, their positions) of the windows of `images`.
  static func forward(_ buffers: Buffers, layout: Convolution2D.Layout, images: Range<Int>) {
    let window = layout.window
    let channels = layout.channels
    for n in images {
      for oh in 0..<window.outputHeight {
        let rows = window.rows(at: oh)
        let top = oh * window.strideHeight - window.padTop
        for ow in 0..<window.outputWidth {
          let columns = window.columns(at: ow)
          let left = ow * window.strideWidth - window.padLeft
          let pixel = ((n * window.outputHeight + oh) * window.outputWidth + ow) * channels
          let destination = buffers.output + pixel
          let first = buffers.input + ((n * window.inputHeight + rows.lowerBound) * window.inputWidth + columns.lowerBound) * channels
          let firstPosition = Int32((rows.lowerBound - top) * window.kernelWidth + columns.lowerBound - left)
          var c = 0
          while c + 16 <= channels {
            var best = UnsafeRawPointer(first + c).loadUnaligned(as: SIMD16<Float>.self)
            var position = SIMD16<Int32>(repeating: firstPosition)
            for y in rows {
              for x in columns where y != rows.lowerBound || x != columns.lowerBound {
                let source = buffers.input + ((n * window.inputHeight + y) * window.inputWidth + x) * channels + c
                let value = UnsafeRawPointer(source).loadUnaligned(as: SIMD16<Float>.self)
                let larger = value .> best
                best.replace(with: value, where: larger)
                position.replace(with: SIMD16(repeating: Int32((y - top) * window.kernelWidth + x - left)), where: larger)
              }
            }
            UnsafeMutableRawPointer(destination + c).storeBytes(of: best, as: SIMD16<Float>.self)
            if let positions = buffers.positions {
              UnsafeMutableRawPointer(positions + pixel + c).storeBytes(of: position, as: SIMD16<Int32>.self)
            }
            c += 16
          }
          for c in c..<channels {
            var best = first[c]
            var position = firstPosition
            for y in rows {
              for x in columns where y != rows.lowerBound || x != columns.lowerBound {
                let value = buffers.input[((n * window.inputHeight + y) * window.inputWidth + x) * channels + c]
                if value > best {
                  best = value
                  position = Int32((y - top) * window.kernelWidth + x - left)
                }
              }
            }
            destination[c] = best
            buffers.positions?[pixel + c] = position
          }
        }
      }
    }
  }

  /// The input gradient of `images` from the output gradient `buffers.input` and the positions.
  static func backward(_ buffers: Buffers, layout: Convolution2D.Layout, images: Range<Int>) {
    let window = layout.window
    let channels = layout.channels
    let positions = buffers.positions!
    let imageSize = layout.pixelsPerImage * channels
    // Disjoint windows write each pixel they cover once; pixels no window covers are zeroed here.
    let disjoint = window.strideHeight >= window.kernelHeight && window.strideWidth >= window.kernelWidth
    if disjoint {
      var coveredRows = [Bool](repeating: false, count: window.inputHeight)
      var coveredColumns = [Bool](repeating: false, count: window.inputWidth)
      for oh in 0..<window.outputHeight { for y in window.rows(at: oh) { coveredRows[y] = true } }
      for ow in 0..<window.outputWidth { for x in window.columns(at: ow) { coveredColumns[x] = true } }
      if !coveredRows.allSatisfy({ $0 }) || !coveredColumns.allSatisfy({ $0 }) {
        for n in images {
          for y in 0..<window.inputHeight {
            let row = buffers.output + (n * window.inputHeight + y) * window.inputWidth * channels
            if !coveredRows[y] {
              row.initialize(repeating: 0, count: window.inputWidth * channels)
              continue
            }
            for x in 0..<window.inputWidth where !coveredColumns[x] {
              (row + x * channels).initialize(repeating: 0, count: channels)
            }
          }
        }
      }
    } else {
      (buffers.output + images.lowerBound * imageSize).initialize(repeating: 0, count: images.count * imageSize)
    }
    for n in images {
      for oh in 0..<window.outputHeight {
        let rows = window.rows(at: oh)
        let top = oh * window.strideHeight - window.padTop
        for ow in 0..<window.outputWidth {
          let columns = window.columns(at: ow)
          let left = ow * window.strideWidth - window.padLeft
          let pixel = ((n * window.outputHeight + oh) * window.outputWidth + ow) * channels
          let gradient = buffers.input + pixel
          let position = positions + pixel
          var c = 0
          while c + 16 <= channels {
            let g = UnsafeRawPointer(gradient + c).loadUnaligned(as: SIMD16<Float>.self)
            let p = UnsafeRawPointer(position + c).loadUnaligned(as: SIMD16<Int32>.self)
            for y in rows {
              for x in columns {
                let target = UnsafeMutableRawPointer(
                  buffers.output + ((n * window.inputHeight + y) * window.inputWidth + x) * channels + c)
                let routed = g.replacing(
                  with: SIMD16(), where: p .!= SIMD16(repeating: Int32((y - top) * window.kernelWidth + x - left)))
                if disjoint {
                  target.storeBytes(of: routed, as: SIMD16<Float>.self)
                } else {
                  target.storeBytes(of: target.loadUnaligned(as: SIMD16<Float>.self) + routed, as: SIMD16<Float>.self)
                }
              }
            }
            c += 16
          }
          for c in c..<channels {
            for y in rows {
              for x in columns {
                let target = buffers.output + ((n * window.inputHeight + y) * window.inputWidth + x) * channels + c
                let routed = Int(position[c]) == (y - top) * window.kernelWidth + x - left ? gradient[c] : 0
                if disjoint { target.pointee = routed } else { target.pointee += routed }
              }
            }
          }
        }
      }
    }
  }
}
