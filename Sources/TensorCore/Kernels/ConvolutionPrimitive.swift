import CDNNL
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// 2-D convolution on oneDNN's convolution primitives (`Sources/CDNNL/convolution.h`): forward with
/// the bias and ReLU fused, backward data and backward weights, straight on Keras' layouts (images
/// `[N, H, W, C]`, kernel `[kh, kw, C/groups, F]`).
///
/// Making a primitive costs milliseconds, so plans are kept per shape and kind (the shapes of a
/// model's layers and its last, smaller batch: a handful). A plan runs on any thread.
/// Float32 3×3 stride-1 kernels over channel counts that are multiples of 16 take oneDNN's
/// Winograd algorithm forward and for the kernel's gradient where there is work enough for it to
/// win (at least 32 channels and filters, 8×8 outputs, 1,024 output pixels; see `skconv_create`).
/// `SWIFTKERAS_CONVOLUTION=im2col` turns the primitives off (for comparisons); `onednn` uses
/// them wherever oneDNN has one, 1×1 kernels included; `direct` keeps oneDNN's direct algorithm
/// everywhere (no Winograd).
enum ConvolutionPrimitive {
  /// What a plan computes (`skconv_kind`).
  enum Kind: Hashable {
    case inference, training, backwardData, backwardWeights

    var c: skconv_kind {
      switch self {
      case .inference: skconv_forward_inference
      case .training: skconv_forward_training
      case .backwardData: skconv_backward_data
      case .backwardWeights: skconv_backward_weights
      }
    }
  }

  /// One plan's key: the shapes, the kind, the fused bias and ReLU, and whether images, output and
  /// output gradient are bfloat16 (`skconv_shape.bfloat16`).
  struct Key: Hashable {
    let window: Window2D
    let images: Int, channels: Int, filters: Int, groups: Int
    let bias: Bool, relu: Bool
    let kind: Kind
    var bfloat16 = false
    /// Whether oneDNN's Winograd algorithm may compute it (`skconv_shape.winograd`).
    var winograd = true
  }

  /// A oneDNN primitive and what running it needs; freed with the last reference.
  final class Plan: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<skconv_plan>
    /// Floats of the kernel in Keras' layout.
    let kernelCount: Int

    /// A kernel in the primitive's layout beside a copy of the Keras-layout kernel it came from.
    private final class TransformedKernel: @unchecked Sendable {
      let source: TensorStorage, transformed: TensorStorage
      init(source: TensorStorage, transformed: TensorStorage) { (self.source, self.transformed) = (source, transformed) }
    }
    /// The last kernel this plan transformed: a prediction's next batch (or the other thread's
    /// half of it) finds its kernel here instead of transforming it again.
    private let lastKernel = Mutex<TransformedKernel?>(nil)

    init(_ pointer: UnsafeMutablePointer<skconv_plan>, kernelCount: Int) {
      (self.pointer, self.kernelCount) = (pointer, kernelCount)
    }
    deinit { skconv_destroy(pointer) }

    /// oneDNN's name for the implementation (`brgconv:avx512_core`, `gemm:jit`, ...).
    var implementation: String { String(cString: skconv_implementation(pointer)) }

    /// `kernel` in the primitive's layout: the last one transformed when the kernel is the same
    /// (compared bit for bit), else transformed now and kept. Nil when the primitive takes Keras'
    /// layout (or for a weight gradient's plan).
    private func transformed(_ kernel: UnsafePointer<Float>) -> TransformedKernel? {
      let bytes = skconv_transformed_weights_bytes(pointer)
      guard bytes > 0 else { return nil }
      if let last = lastKernel.withLock({ $0 }), memcmp(last.source.pointer, kernel, kernelCount * 4) == 0 {
        return last
      }
      let source = TensorStorage(count: kernelCount)
      source.pointer.update(from: kernel, count: kernelCount)
      let target = TensorStorage(count: (bytes + 3) / 4)
      precondition(
        skconv_transform_weights(pointer, kernel, target.pointer) == 0,
        "oneDNN convolution (\(implementation)) failed to reorder its kernel")
      let made = TransformedKernel(source: source, transformed: target)
      lastKernel.withLock { $0 = made }
      return made
    }

    /// Runs the plan (see `skconv_execute` for what `a`, `b`, `c`, `out` and `biasOut` are; in a
    /// bfloat16 plan images, output and output gradient are bfloat16, the rest float32), its
    /// working memory taken from the tensor buffer pool.
    func run(
      _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ c: UnsafePointer<Float>?, _ out: UnsafeMutableRawPointer,
      _ biasOut: UnsafeMutablePointer<Float>? = nil
    ) {
      let workspace = TensorStorage(count: (skconv_workspace_bytes(pointer) + 3) / 4)
      let kernel = transformed(b.assumingMemoryBound(to: Float.self))  // nil for a weight gradient's plan
      let status = withExtendedLifetime((workspace, kernel)) {
        skconv_execute(
          pointer, a, kernel.map { UnsafeRawPointer($0.transformed.pointer) } ?? b, c, out, biasOut, workspace.pointer,
          kernel == nil ? 0 : 1)
      }
      precondition(status == 0, "oneDNN convolution (\(implementation)) failed to run")
    }
  }

  /// Which path convolutions take: the faster as measured (`automatic`), or one of the two, or
  /// `automatic`'s without Winograd (`direct`).
  enum Choice { case automatic, im2col, onednn, direct }

  /// The path `SWIFTKERAS_CONVOLUTION` (`im2col`, `onednn`, `direct`) forces, else `automatic`.
  static let choice: Choice = {
    switch getenv("SWIFTKERAS_CONVOLUTION").map({ String(cString: $0) }) {
    case "im2col": .im2col
    case "onednn": .onednn
    case "direct": .direct
    default: .automatic
    }
  }()

  /// The plans made so far; nil where oneDNN has none for the key.
  private static let plans = Mutex([Key: Plan?]())

  /// The plan for `key`, made on first use; nil when oneDNN has none (im2col + GEMM then).
  static func plan(_ key: Key) -> Plan? {
    if let known = plans.withLock({ $0[key] }) { return known }
    let w = key.window
    // oneDNN's `jit_1x1:avx512_core` weight gradient of a strided 1×1 kernel reads past the end of
    // the input on larger images (60×60×8 → 16 with strides 2, the residual branch of a 64×64
    // mini-Xception, crashes; 44×44 does not): such a kernel takes im2col + GEMM instead.
    if key.kind == .backwardWeights, w.kernelHeight == 1, w.kernelWidth == 1, w.strideHeight > 1 || w.strideWidth > 1 {
      return nil
    }
    // oneDNN's right and bottom pads make the output size come out; with valid padding the
    // rows a stride skips at the end are left out as Keras does (a pad of 0 gives the same floor).
    func trailing(_ output: Int, _ stride: Int, _ kernel: Int, _ dilation: Int, _ input: Int, _ before: Int) -> Int {
      Swift.max((output - 1) * stride + (kernel - 1) * dilation + 1 - input - before, 0)
    }
    var shape = skconv_shape(
      images: key.images, height: w.inputHeight, width: w.inputWidth, channels: key.channels, filters: key.filters,
      kernel_height: w.kernelHeight, kernel_width: w.kernelWidth, stride_height: w.strideHeight,
      stride_width: w.strideWidth, dilation_height: w.dilationHeight, dilation_width: w.dilationWidth,
      pad_top: w.padTop, pad_left: w.padLeft,
      pad_bottom: trailing(w.outputHeight, w.strideHeight, w.kernelHeight, w.dilationHeight, w.inputHeight, w.padTop),
      pad_right: trailing(w.outputWidth, w.strideWidth, w.kernelWidth, w.dilationWidth, w.inputWidth, w.padLeft),
      output_height: w.outputHeight, output_width: w.outputWidth, groups: key.groups, bias: key.bias ? 1 : 0,
      relu: key.relu ? 1 : 0, winograd: key.winograd ? 1 : 0, bfloat16: key.bfloat16 ? 1 : 0)
    let kernelCount = w.kernelHeight * w.kernelWidth * key.channels / key.groups * key.filters
    let plan = skconv_create(&shape, key.kind.c).map { Plan($0, kernelCount: kernelCount) }
    plans.withLock { plans in
      if plans.count >= 256 { plans.removeAll() }  // models whose shapes keep changing: start over
      plans[key] = plan
    }
    return plan
  }

  /// Whether a convolution of `layout` runs on oneDNN rather than im2col + GEMM.
  ///
  /// Measured 2026-12-07 on the 2-core AVX-512 machine with other work on it (best of 15, ms per
  /// batch of 128): the convnet benchmark's second layer (13×13×32 → 64, 3×3) forward 5.5 on
  /// oneDNN against 8.0 lowered, backward weights 6.0–6.9 against 7.4–7.5, backward data 5.6–5.8
  /// against 7.5; its first layer (28×28×1 → 32) forward 0.9 against 1.3–1.4, backward weights
  /// 1.2–1.9 against 1.4; a depthwise 3×3 over 32 channels 0.35 against 13.8 (one GEMM per
  /// channel). A 1×1 kernel with stride 1 needs no lowering (the image is the matrix) and GEMM
  /// alone was within 10% of oneDNN (0.88 against 0.80 forward), so it stays on GEMM.
  static func isPreferred(for layout: Convolution2D.Layout, choice: Choice) -> Bool {
    switch choice {
    case .im2col: false
    case .onednn: true
    case .automatic, .direct: !layout.isIdentity
    }
  }
}
