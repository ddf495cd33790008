// The Keras API (layers, Sequential, training, saving) arrives in later work;
// `import Keras` already brings the tensor library with it.
@_exported import TensorCore
