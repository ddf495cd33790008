import CDNNL

/// Where the windows of a 2-D convolution or pooling fall on channels-last images `[N, H, W, C]`.
///
/// With window span `w = (k - 1)·d + 1` (kernel size `k`, dilation `d`) and stride `s` over `L`
/// pixels of one axis: valid padding gives `⌊(L - w) / s⌋ + 1` outputs, same padding `⌈L / s⌉`,
/// with the padding split as TensorFlow does (the odd pixel after).
public struct Window2D: Sendable, Hashable {
  /// The taps per window along height and width.
  public let kernelHeight: Int, kernelWidth: Int
  /// The pixels between window starts along height and width.
  public let strideHeight: Int, strideWidth: Int
  /// The pixels between taps along height and width.
  public let dilationHeight: Int, dilationWidth: Int
  /// The input size along height and width.
  public let inputHeight: Int, inputWidth: Int
  /// Zero (or ignored) pixels before the first row and column.
  public let padTop: Int, padLeft: Int
  /// The number of windows along height and width (0 when the input is smaller than a window).
  public let outputHeight: Int, outputWidth: Int

  /// The windows of a `kernel` (`[height, width]`) moved by `strides` with `dilation` over an image of
  /// `input` (`[height, width]`) pixels, padded as Keras' `"same"` when `samePadding`, else `"valid"`.
  public init(input: [Int], kernel: [Int], strides: [Int], dilation: [Int] = [1, 1], samePadding: Bool) {
    precondition(input.count == 2 && kernel.count == 2 && strides.count == 2 && dilation.count == 2)
    func axis(_ i: Int) -> (pad: Int, count: Int) {
      let span = (kernel[i] - 1) * dilation[i] + 1
      guard samePadding else { return (0, input[i] >= span ? (input[i] - span) / strides[i] + 1 : 0) }
      let count = (input[i] + strides[i] - 1) / strides[i]
      return (Swift.max((count - 1) * strides[i] + span - input[i], 0) / 2, count)
    }
    (kernelHeight, kernelWidth) = (kernel[0], kernel[1])
    (strideHeight, strideWidth) = (strides[0], strides[1])
    (dilationHeight, dilationWidth) = (dilation[0], dilation[1])
    (inputHeight, inputWidth) = (input[0], input[1])
    (padTop, outputHeight) = axis(0)
    (padLeft, outputWidth) = axis(1)
  }

  /// The input rows of the window at output row `row` that lie inside the image (dilation 1).
  @inline(__always)
  func rows(at row: Int) -> Range<Int> {
    let start = row * strideHeight - padTop
    return Swift.max(start, 0)..<Swift.min(start + kernelHeight, inputHeight)
  }

  /// The input columns of the window at output column `column` that lie inside the image (dilation 1).
  @inline(__always)
  func columns(at column: Int) -> Range<Int> {
    let start = column * strideWidth - padLeft
    return Swift.max(start, 0)..<Swift.min(start + kernelWidth, inputWidth)
  }

  /// Calls `body(offset)` with the offset in `[N, H, W, channels]` of each pixel inside the window at
  /// output pixel (`row`, `column`) of image `image`, row by row (dilation 1); returns their count.
  @inline(__always)
  func forEachPixel(image: Int, row: Int, column: Int, channels: Int, _ body: (_ offset: Int) -> Void) -> Int {
    let (rows, columns) = (rows(at: row), columns(at: column))
    for y in rows {
      for x in columns { body(((image * inputHeight + y) * inputWidth + x) * channels) }
    }
    return rows.count * columns.count
  }
}

/// Pointers shared by the parts of a kernel, each part touching only its own images.
struct SharedBuffers: @unchecked Sendable {
  let input: UnsafeMutablePointer<Float>
  let output: UnsafeMutablePointer<Float>
}

/// The image-to-columns lowering behind 2-D convolution: every window of an image becomes one row
/// of a matrix, so the convolution is a GEMM with the kernel, and its gradients two more.
///
/// The columns of `groups` groups lie group after group, `[groups, N·H'·W', kh·kw·C/groups]`,
/// each row ordered (kernel row, kernel column, channel) as Keras' kernel `[kh, kw, C/groups, F]`.
enum Convolution2D {
  /// The shapes of one lowering.
  struct Layout {
    let window: Window2D
    let images: Int
    let channels: Int
    let groups: Int

    var groupChannels: Int { channels / groups }
    var pixelsPerImage: Int { window.inputHeight * window.inputWidth }
    var rowsPerImage: Int { window.outputHeight * window.outputWidth }
    var rows: Int { images * rowsPerImage }
    var columns: Int { window.kernelHeight * window.kernelWidth * groupChannels }
    /// Whether the columns are the input itself (a 1×1 kernel, stride 1, one group).
    var isIdentity: Bool {
      window.kernelHeight == 1 && window.kernelWidth == 1 && window.strideHeight == 1 && window.strideWidth == 1
        && groups == 1
    }
  }

  /// Runs `body(images)` over the images split between the threads.
  static func forEachImagePart(_ layout: Layout, _ body: @Sendable (Range<Int>) -> Void) {
    let parts = ParallelParts.count(rows: layout.images, minimumRows: 1)
    ParallelParts.run(parts: parts) { part in
      body((layout.images * part / parts)..<(layout.images * (part + 1) / parts))
    }
  }

  /// The gradient `gradient` `[rows, filters]` of a convolution's output through its ReLU (given the
  /// ReLU's output `reluOutput`; none when nil) into `masked`, and the sum of its rows (the bias's
  /// gradient) into `sums` when given, in one pass split between the threads
  /// (`skconv_relu_bias_gradient`).
  static func reluAndBiasGradient(
    _ gradient: UnsafePointer<Float>, reluOutput: UnsafePointer<Float>?, masked: UnsafeMutablePointer<Float>?,
    sums: UnsafeMutablePointer<Float>?, rows: Int, filters: Int
  ) {
    let pointers = RecurrentKernel.PartShared((gradient, reluOutput, masked))
    forEachRowPart(rows: rows, filters: filters, sums: sums) { start, end, partial in
      let (gradient, output, masked) = pointers.value
      let offset = start * filters
      skconv_relu_bias_gradient(
        gradient + offset, output.map { $0 + offset }, masked.map { $0 + offset }, partial, end - start, filters)
    }
  }

  /// ``reluAndBiasGradient(_:reluOutput:masked:sums:rows:filters:)`` for a bfloat16 convolution: the
  /// gradient rounded to bfloat16 (then masked) into the bfloat16 `masked`, the rounded values'
  /// row sums into `sums` (`skconv_relu_bias_gradient_bf16`).
  static func reluAndBiasGradientBFloat16(
    _ gradient: UnsafePointer<Float>, reluOutput: UnsafePointer<Float>?, masked: UnsafeMutablePointer<UInt16>,
    sums: UnsafeMutablePointer<Float>?, rows: Int, filters: Int
  ) {
    let pointers = RecurrentKernel.PartShared((gradient, reluOutput, masked))
    forEachRowPart(rows: rows, filters: filters, sums: sums) { start, end, partial in
      let (gradient, output, masked) = pointers.value
      let offset = start * filters
      skconv_relu_bias_gradient_bf16(
        gradient + offset, output.map { $0 + offset }, masked + offset, partial, end - start, filters)
    }
  }

  /// Runs `body(start, end, partialSums)` over parts of `rows` rows of `filters` values split between
  /// the threads, each part summing its rows into its own `filters` partial sums (nil when `sums`
  /// is), then adds the parts' sums into `sums`.
  private static func forEachRowPart(
    rows: Int, filters: Int, sums: UnsafeMutablePointer<Float>?,
    _ body: @Sendable (_ start: Int, _ end: Int, _ partialSums: UnsafeMutablePointer<Float>?) -> Void
  ) {
    let parts = ParallelParts.count(rows: rows, minimumRows: Swift.max(1, (1 << 15) / Swift.max(filters, 1)))
    let partial = UnsafeMutablePointer<Float>.allocate(capacity: parts * filters)
    defer { partial.deallocate() }
    let partials = RecurrentKernel.PartShared(sums == nil ? nil : partial)
    ParallelParts.run(parts: parts) { part in
      body(rows * part / parts, rows * (part + 1) / parts, partials.value.map { $0 + part * filters })
    }
    guard let sums else { return }
    sums.update(from: partial, count: filters)
    for part in 1..<parts {
      for f in 0..<filters { sums[f] += partial[part * filters + f] }
    }
  }

  /// Calls `body(target, source, count)` for each run of a window row: `count` floats of the columns' row
  /// at offset `target` come from the image at offset `source` (one image), or are padding when `source` is nil.
  /// With one group and no dilation along the width, a window row inside the image is one run.
  @inline(__always)
  static func forEachRun(
    _ layout: Layout, group: Int, row oh: Int, column ow: Int, _ body: (_ target: Int, _ source: Int?, _ count: Int) -> Void
  ) {
    let window = layout.window
    let cg = layout.groupChannels
    let rowLength = window.kernelWidth * cg
    let x0 = ow * window.strideWidth - window.padLeft
    let contiguous =
      layout.groups == 1 && window.dilationWidth == 1 && x0 >= 0 && x0 + window.kernelWidth <= window.inputWidth
    for i in 0..<window.kernelHeight {
      let y = oh * window.strideHeight - window.padTop + i * window.dilationHeight
      guard y >= 0 && y < window.inputHeight else {
        body(i * rowLength, nil, rowLength)
        continue
      }
      if contiguous {
        body(i * rowLength, (y * window.inputWidth + x0) * layout.channels, rowLength)
        continue
      }
      for j in 0..<window.kernelWidth {
        let x = x0 + j * window.dilationWidth
        let inside = x >= 0 && x < window.inputWidth
        body((i * window.kernelWidth + j) * cg, inside ? (y * window.inputWidth + x) * layout.channels + group * cg : nil, cg)
      }
    }
  }

  /// Writes the columns of `input` `[N, H, W, C]` into `columns` (padding taps are zero).
  static func lower(_ input: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, _ layout: Layout) {
    let shared = SharedBuffers(input: UnsafeMutablePointer(mutating: input), output: columns)
    forEachImagePart(layout) { images in
      let k = layout.columns
      let imageSize = layout.pixelsPerImage * layout.channels
      for n in images {
        let image = shared.input + n * imageSize
        for g in 0..<layout.groups {
          for oh in 0..<layout.window.outputHeight {
            for ow in 0..<layout.window.outputWidth {
              let row = g * layout.rows + n * layout.rowsPerImage + oh * layout.window.outputWidth + ow
              let destination = shared.output + row * k
              forEachRun(layout, group: g, row: oh, column: ow) { target, source, count in
                let to = destination + target
                if let source {
                  let from = image + source
                  for c in 0..<count { to[c] = from[c] }
                } else {
                  for c in 0..<count { to[c] = 0 }
                }
              }
            }
          }
        }
      }
    }
  }

  /// Adds the columns' gradients `columns` back onto the pixels they were read from, into `input` (zeroed first).
  static func raise(_ columns: UnsafePointer<Float>, into input: UnsafeMutablePointer<Float>, _ layout: Layout) {
    let shared = SharedBuffers(input: UnsafeMutablePointer(mutating: columns), output: input)
    forEachImagePart(layout) { images in
      let k = layout.columns
      let imageSize = layout.pixelsPerImage * layout.channels
      (shared.output + images.lowerBound * imageSize).initialize(repeating: 0, count: images.count * imageSize)
      for n in images {
        let image = shared.output + n * imageSize
        for g in 0..<layout.groups {
          for oh in 0..<layout.window.outputHeight {
            for ow in 0..<layout.window.outputWidth {
              let row = g * layout.rows + n * layout.rowsPerImage + oh * layout.window.outputWidth + ow
              let gradient = shared.input + row * k
              forEachRun(layout, group: g, row: oh, column: ow) { target, source, count in
                guard let source else { return }
                let to = image + source
                let from = gradient + target
                for c in 0..<count { to[c] += from[c] }
              }
            }
          }
        }
      }
    }
  }
}
