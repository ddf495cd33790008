// `import Keras` is enough: it brings the tensor library with it.
@_exported import TensorCore
