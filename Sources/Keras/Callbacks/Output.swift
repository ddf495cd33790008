#if canImport(Glibc)
  import Glibc
#endif
import Foundation

/// Writing messages the way Keras' `io_utils.print_msg` does, through the same buffered
/// standard output as `print`, flushed so progress lines appear at once and in order.
enum FileHandleOutput {
  static func standardOutput(_ text: String) {
    print(text, terminator: "")
    fflush(nil)
  }

  static func standardError(_ text: String) {
    fflush(nil)
    FileHandle.standardError.write(Data(text.utf8))
  }
}
