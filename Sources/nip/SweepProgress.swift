import Foundation

/// One progress bar for runs going on at once: the share done is the mean of the runs' shares.
final class SweepProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let bar: ProgressBar
    private var fractions: [Double]

    init(_ bar: ProgressBar, runs: Int) {
        self.bar = bar
        fractions = Array(repeating: 0, count: runs)
    }

    func update(run: Int, fraction: Double) {
        lock.withLock {
            fractions[run] = fraction
            bar.update(fractions.reduce(0, +) / Double(fractions.count))
        }
    }

    func finish() { lock.withLock { bar.finish() } }
}
