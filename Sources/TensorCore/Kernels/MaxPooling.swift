import CDNNL

/// 2-D max pooling of channels-last images that records where each maximum came from, so that the
/// gradient goes straight to its pixel.
///
/// The forward pass keeps, for each output value, the position `i·kw + j` in its window (row `i`,
/// column `j`) of the first pixel holding the maximum (TensorFlow's choice on ties), as an `Int32`
/// (a byte would need widening to the floats' lanes, which Swift's SIMD types do one lane at a
/// time). Both passes are C loops over the channels (`Sources/CDNNL/pooling_kernels.h`, vectorized
/// by clang, AVX-512 where the CPU has it), over the images split between the threads. Where the
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

  /// The C description of `layout`'s windows.
  private static func window(_ layout: Convolution2D.Layout) -> skpool_window {
    let w = layout.window
    return skpool_window(
      height: w.inputHeight, width: w.inputWidth, channels: layout.channels, output_height: w.outputHeight,
      output_width: w.outputWidth, kernel_height: w.kernelHeight, kernel_width: w.kernelWidth,
      stride_height: w.strideHeight, stride_width: w.strideWidth, pad_top: w.padTop, pad_left: w.padLeft)
  }

  /// The maxima (and, when kept, their positions) of the windows of `images` (`skpool_forward`).
  static func forward(_ buffers: Buffers, layout: Convolution2D.Layout, images: Range<Int>) {
    var w = window(layout)
    if FastMath.hasAVX512 {
      skpool512_forward(&w, buffers.input, buffers.output, buffers.positions, images.lowerBound, images.upperBound)
    } else {
      skpool_forward(&w, buffers.input, buffers.output, buffers.positions, images.lowerBound, images.upperBound)
    }
  }

  /// The input gradient of `images` from the output gradient `buffers.input` and the positions
  /// (`skpool_backward`).
  static func backward(_ buffers: Buffers, layout: Convolution2D.Layout, images: Range<Int>) {
    let window = layout.window
    let channels = layout.channels
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
    var w = self.window(layout)
    let (first, last) = (images.lowerBound, images.upperBound)
    let accumulate: Int32 = disjoint ? 0 : 1
    if FastMath.hasAVX512 {
      skpool512_backward(&w, buffers.input, buffers.positions!, buffers.output, first, last, accumulate)
    } else {
      skpool_backward(&w, buffers.input, buffers.positions!, buffers.output, first, last, accumulate)
    }
  }
}
