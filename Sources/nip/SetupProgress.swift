import NewIPTopology

/// One bar over `nip emulate`'s whole setup: the steps of reading the topology, then
/// routing, each filling its share of the bar and naming itself before it. Reading's steps
/// report no progress of their own, so the bar moves at each step's start; the shares are
/// roughly where the 100,000-node scenario's setup goes (BENCHMARKS.md, *Setup time*).
final class SetupProgress {
    private let bar: ProgressBar
    /// Where the current step starts on the bar, and its share of it.
    private var step: (start: Double, share: Double) = (0, 0)

    static let readingShares: [TopologyParser.Step: Double] = [.reading: 0.02, .parsing: 0.3, .building: 0.25, .checking: 0.03]
    static let routingShare = 1 - readingShares.values.reduce(0, +)

    init(_ bar: ProgressBar) { self.bar = bar }

    func begin(_ reading: TopologyParser.Step) {
        let before = TopologyParser.Step.allCases.prefix { $0 != reading }
        enter(reading.rawValue, start: before.reduce(0) { $0 + Self.readingShares[$1]! }, share: Self.readingShares[reading]!)
    }

    /// Routing begins; `size` says what is routed.
    func beginRouting(_ size: String) {
        enter("routing \(size)", start: 1 - Self.routingShare, share: Self.routingShare)
    }

    /// The share of routing done.
    func routing(_ fraction: Double) { bar.update(step.start + step.share * fraction) }

    func finish() { bar.finish() }

    private func enter(_ label: String, start: Double, share: Double) {
        step = (start, share)
        bar.label = label
        bar.update(start)
    }
}
