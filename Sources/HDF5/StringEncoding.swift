/// How an array of strings is stored.
public enum HDF5StringEncoding: Sendable {
  /// Variable-length UTF-8, as h5py stores Python `str`. The default.
  case variableLength
  /// Fixed-length, NUL-padded to the longest string, as numpy `S…` arrays
  /// (Keras 2 writes `weight_names` and `layer_names` this way).
  case fixedLength
}
