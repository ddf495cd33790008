import Testing

import Keras  // not @testable: a custom training loop outside the module must be able to do this

@Suite("Callbacks in a custom training loop")
struct CustomLoopProgressTests {
  @Test("a loop outside Keras gives ProgressBar its params and gets fit's epoch lines")
  func progressBarDrivenByHand() {
    var printed = ""
    let bar = ProgressBar(isTerminal: false) { printed += $0 }
    bar.setParams(TrainingParams(epochs: 2, steps: 3, verbose: 1))
    bar.onTrainBegin(Logs())
    for epoch in 0..<2 {
      bar.onEpochBegin(epoch, Logs())
      for step in 0..<3 { bar.onTrainBatchEnd(step, Logs([("loss", 0.5)])) }
      bar.onEpochEnd(epoch, Logs([("loss", 0.25)]))
    }
    bar.onTrainEnd(Logs())
    let lines = printed.split(separator: "\n").map(String.init)
    #expect(lines.count == 4)
    #expect(lines[0] == "Epoch 1/2" && lines[2] == "Epoch 2/2")
    #expect(lines[1].hasPrefix("3/3 ━━━━━━━━━━━━━━━━━━━━ 0s "))
    #expect(lines[1].hasSuffix("/step - loss: 0.2500"))
  }
}
