import Foundation

// fuzz-loaders: a seeded mutation fuzzer over loadModel and Sequential.loadWeights.
// See Options.usage for the command line.
do {
  let options = try Options(Array(CommandLine.arguments.dropFirst()))
  if !options.reproduce.isEmpty {
    try Reproducer(options: options).run()
  } else if options.isWorker {
    try FileManager.default.createDirectory(atPath: options.workDirectory, withIntermediateDirectories: true)
    let seeds = try CorpusLoader.load(directory: options.corpus, scratch: options.workDirectory)
    var worker = Worker(options: options, seeds: seeds)
    try worker.run()
  } else {
    exit(try Supervisor(options: options).run())
  }
} catch {
  FileHandle.standardError.write(Data("fuzz-loaders: \(error)\n".utf8))
  exit(2)
}
