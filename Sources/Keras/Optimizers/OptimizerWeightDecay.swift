// Which variables an optimizer's decoupled weight decay leaves out.

extension Optimizer {
  /// Excludes variables from weight decay (Keras' `exclude_from_weight_decay`): those in
  /// `variables`, and those whose name matches any of the regular expressions in `names`.
  ///
  /// - Throws: when a name is not a valid regular expression.
  public func excludeFromWeightDecay(variables: [Variable] = [], names: [String] = []) throws {
    excludedFromWeightDecay = Set(variables.map { ObjectIdentifier($0) })
    excludedFromWeightDecayPattern = names.isEmpty ? nil : try Regex(names.joined(separator: "|"))
  }

  func usesWeightDecay(_ variable: Variable) -> Bool {
    if excludedFromWeightDecay.contains(ObjectIdentifier(variable)) { return false }
    if let pattern = excludedFromWeightDecayPattern, variable.name.contains(pattern) { return false }
    return true
  }
}
