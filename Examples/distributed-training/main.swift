// distributed-training: the forecast model of time-series-forecast trained data-parallel over
// Open MPI, as Keras 3's keras.distribution.DataParallel would train it on several devices
//
//   keras.distribution.set_distribution(keras.distribution.DataParallel())
//   model = Sequential([Input((60, 1)), LSTM(50, return_sequences=True), LSTM(50), Dense(1)])
//   model.compile(optimizer='adam', loss='mean_squared_error')
//   model.fit(x_train, y_train, epochs=5, batch_size=64, validation_split=0.1)
//
// The data are 1024 windows of 60 steps of `sin(0.07 s) + 0.5 sin(0.011 s) + 0.1 noise`, each
// followed by the value to predict. Every rank holds them all and trains on its share of each
// global batch of 64 (rank 0 the first 32 rows, rank 1 the next 32 with two ranks); gradients are
// averaged every step, so the run ends with the same loss and weights whatever the number of
// processes. The model has no Dropout, whose masks differ per rank, so the final loss printed by
// `mpirun -np 2` is the one-process run's (up to float rounding in the last digit).
//
//   swift build -c release --product distributed-training
//   mpirun -np 2 .build/release/distributed-training [--epochs N]     (as root: --allow-run-as-root)
//   .build/release/distributed-training [--epochs N]                  the same, one process
import Foundation
import Keras
import KerasDistributed

var epochs = 5
if let flag = CommandLine.arguments.firstIndex(of: "--epochs"), flag + 1 < CommandLine.arguments.count,
  let value = Int(CommandLine.arguments[flag + 1]), value > 0
{
  epochs = value
}

/// `count` windows of `steps` values of a noisy sum of two sines, and the value after each.
func forecastData(count: Int, steps: Int) throws -> (x: Tensor, y: Tensor) {
  var generator = RandomGenerator(seed: 0)
  let series = (0..<(count + steps + 1)).map { s -> Float in
    sin(Float(s) * 0.07) + 0.5 * sin(Float(s) * 0.011) + 0.1 * generator.nextNormal()
  }
  let x = try Tensor(shape: [count, steps, 1], scalars: (0..<count).flatMap { series[$0..<($0 + steps)] })
  return (x, try Tensor(shape: [count, 1], scalars: Array(series[steps..<(steps + count)])))
}

do {
  let distribution = try DataParallel()
  let (x, y) = try forecastData(count: 1024, steps: 60)
  let batchSize = 64
  let shard = distribution.shard(of: batchSize)
  let rows = "rows \(shard.lowerBound)..<\(shard.upperBound) of each batch of \(batchSize)"
  print("rank \(distribution.rank) of \(distribution.size): \(rows)")

  setRandomSeed(1)
  let model = Sequential {
    LSTM(50, returnSequences: true, inputShape: [60, 1])
    LSTM(50)
    Dense(1)
  }
  try model.compile(optimizer: "adam", loss: "mean_squared_error")
  let history = try distribution.fit(
    model, x, y, batchSize: batchSize, epochs: epochs, verbose: 2, validationSplit: 0.1)
  if distribution.isChief {
    let loss = history.history["loss"]!.last!
    let validation = history.history["val_loss"]!.last!
    print(String(format: "final loss %.6f, val_loss %.6f on %d process(es)", loss, validation, distribution.size))
    print("communication: \(distribution.communicationTime) of the last fit on rank 0")
  }
} catch {
  FileHandle.standardError.write(Data("distributed-training: \(error)\n".utf8))
  exit(1)
}
