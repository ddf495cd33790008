/// Slash-separated paths inside a file, always handled in normalised absolute
/// form (`"/layers/dense/vars/0"`, root `"/"`) so errors quote one spelling.
enum ObjectPath {
  /// The absolute path of `path` seen from the object at absolute path
  /// `base`. Absolute paths start from the root; empty and `.` components
  /// are dropped, as libhdf5 does.
  static func resolve(_ path: String, from base: String) -> String {
    var parts = path.hasPrefix("/") ? [] : components(of: base)
    parts += components(of: path)
    return "/" + parts.joined(separator: "/")
  }

  /// The names along an absolute or relative path, without empty or `.` parts.
  static func components(of path: String) -> [String] {
    path.split(separator: "/", omittingEmptySubsequences: true)
      .filter { $0 != "." }
      .map(String.init)
  }

  /// The absolute paths of every ancestor of `path` below the root, then
  /// `path` itself: `"/a/b/c"` gives `["/a", "/a/b", "/a/b/c"]`.
  static func prefixes(of path: String) -> [String] {
    var result: [String] = []
    var current = ""
    for part in components(of: path) {
      current += "/" + part
      result.append(current)
    }
    return result
  }

  /// The last component, or `"/"` for the root.
  static func lastComponent(of path: String) -> String {
    components(of: path).last ?? "/"
  }
}
