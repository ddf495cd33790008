// digits-convnet: Keras' "Simple MNIST convnet" on scikit-learn's 8×8 handwritten digits
//
//   model = keras.Sequential([
//       keras.Input(shape=(28, 28, 1)),
//       layers.Conv2D(32, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
//       layers.Conv2D(64, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
//       layers.Flatten(), layers.Dropout(0.5), layers.Dense(num_classes, activation="softmax")])
//   model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
//   model.fit(x_train, y_train, batch_size=128, epochs=15, validation_split=0.1)
//   score = model.evaluate(x_test, y_test, verbose=0)
//
// The images are the 1,797 digits of `sklearn.datasets.load_digits()` (8×8 pixels of 0...16,
// bundled in Data/ with their licence), not MNIST's 28×28. Two 3×3 valid convolutions and two
// poolings would shrink 8×8 to nothing, so both convolutions pad `same`: 8×8 → 4×4 → 2×2×64.
// Everything else is the Keras program's: pixels scaled to [0, 1], one-hot labels, Adam, batch 128,
// a 10% validation split. A seeded shuffle holds out 20% of the images as the test set; the
// program ends with the test accuracy beside the majority-class baseline.
//
//   swift run -c release digits-convnet [--epochs N] [--batch-size N]
import Foundation
import Keras

/// Command-line options: `--epochs N`, `--batch-size N`.
func option(_ name: String, default value: Int) -> Int {
  let arguments = CommandLine.arguments
  guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]), v > 0 else {
    return value
  }
  return v
}

let epochs = option("--epochs", default: 15)
let batchSize = option("--batch-size", default: 128)
let classes = 10

// The digits: images [1797, 8, 8] and labels [1797], both uint8 .npy files.
func bundled(_ name: String) throws -> URL {
  guard let url = Bundle.module.url(forResource: name, withExtension: "npy", subdirectory: "Data") else {
    throw KerasError.invalidArgument("Data/\(name).npy is missing from the bundle")
  }
  return url
}
let images = try NPY.read(try bundled("digits_images"))
let labels = try NPY.read(try bundled("digits_labels")).scalars.map { Int($0) }
let count = images.shape[0]
let (height, width) = (images.shape[1], images.shape[2])

// A seeded shuffle, then 80% for training and 20% held out.
var generator = RandomGenerator(seed: 7)
var order = Array(0..<count)
for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
let testCount = count / 5
let (trainOrder, testOrder) = (Array(order[testCount...]), Array(order[..<testCount]))

/// The images of `indices` as `[n, 8, 8, 1]` scaled to [0, 1], and their one-hot labels `[n, 10]`.
func subset(_ indices: [Int]) throws -> (x: Tensor, y: Tensor) {
  let pixels = images.scalars
  let size = height * width
  var x = [Float](), y = [Float](repeating: 0, count: indices.count * classes)
  x.reserveCapacity(indices.count * size)
  for (row, index) in indices.enumerated() {
    x += pixels[index * size..<(index + 1) * size].map { $0 / 16 }
    y[row * classes + labels[index]] = 1
  }
  return (
    try Tensor(shape: [indices.count, height, width, 1], scalars: x),
    try Tensor(shape: [indices.count, classes], scalars: y)
  )
}
let (xTrain, yTrain) = try subset(trainOrder)
let (xTest, yTest) = try subset(testOrder)
print("train \(xTrain.shape), test \(xTest.shape)")

setRandomSeed(1)
let model = Sequential {
  Input(shape: [height, width, 1])
  Conv2D(32, kernelSize: 3, padding: .same, activation: .relu)
  MaxPooling2D(poolSize: 2)
  Conv2D(64, kernelSize: 3, padding: .same, activation: .relu)
  MaxPooling2D(poolSize: 2)
  Flatten()
  Dropout(0.5)
  Dense(classes, activation: .softmax)
}
model.summary()
try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
try model.fit(xTrain, yTrain, batchSize: batchSize, epochs: epochs, validationSplit: 0.1)

let scores = try model.evaluate(xTest, yTest, verbose: 0)
var trainCounts = [Int](repeating: 0, count: classes)
for index in trainOrder { trainCounts[labels[index]] += 1 }
let majority = trainCounts.indices.max { trainCounts[$0] < trainCounts[$1] }!
let baseline = Double(testOrder.filter { labels[$0] == majority }.count) / Double(testCount)
print(String(format: "test loss %.4f, test accuracy %.4f (majority-class baseline %.4f: always \"%d\")",
             scores["loss"]!, scores["accuracy"]!, baseline, majority))
