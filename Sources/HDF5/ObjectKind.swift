/// What a path inside a file names.
public enum HDF5ObjectKind: Sendable, Equatable, CustomStringConvertible {
  /// A group (h5py `Group`).
  case group
  /// A dataset (h5py `Dataset`).
  case dataset
  /// A committed (named) datatype.
  case namedDatatype

  /// `"group"`, `"dataset"` or `"named datatype"`.
  public var description: String {
    switch self {
    case .group: "group"
    case .dataset: "dataset"
    case .namedDatatype: "named datatype"
    }
  }
}
