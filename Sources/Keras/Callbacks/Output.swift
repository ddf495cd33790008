import Foundation

/// Writing messages the way Keras' `io_utils.print_msg` does.
enum FileHandleOutput {
  static func standardOutput(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
  static func standardError(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
