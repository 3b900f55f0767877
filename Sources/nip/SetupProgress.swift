import NewIPTopology

/// One bar over `nip emulate`'s whole setup: the steps of reading the topology, routing, then
/// tracing the flows, each filling a share of the bar in proportion to its estimated cost
/// (`SetupEstimate`) and naming itself before it, so the bar moves evenly. Reading's steps
/// report no progress of their own, so the bar moves at each step's start. Until the topology
/// is built, routing's and tracing's part is guessed from the file's size; once it is, they
/// share what is left by their own estimates.
final class SetupProgress {
    private let bar: ProgressBar
    private let reading: [TopologyParser.Step: (start: Double, share: Double)]
    private var tracing: (start: Double, share: Double) = (1, 0)
    /// Where the current step starts on the bar, and its share of it.
    private var step: (start: Double, share: Double) = (0, 0)

    init(_ bar: ProgressBar, fileBytes: Int) {
        self.bar = bar
        let steps = SetupEstimate.reading(fileBytes: fileBytes)
        let places = SetupEstimate.layout(steps.map(\.cost) + [SetupEstimate.guessedRest(fileBytes: fileBytes)], from: 0)
        reading = Dictionary(uniqueKeysWithValues: zip(steps.map(\.step), places))
    }

    func begin(_ step: TopologyParser.Step) { enter(step.rawValue, at: reading[step]!) }

    /// Routing begins: it and tracing the flows share the rest of the bar.
    func beginRouting(_ topology: Topology) {
        let places = SetupEstimate.layout([SetupEstimate.routing(topology), SetupEstimate.tracing(topology)],
                                          from: step.start + step.share)
        tracing = places[1]
        enter("routing \(topology.sizeText)", at: places[0])
    }

    /// The share of routing done.
    func routing(_ fraction: Double) { bar.update(step.start + step.share * fraction) }

    func beginTracing() { enter("tracing flows", at: tracing) }

    func finish() { bar.finish() }

    private func enter(_ label: String, at place: (start: Double, share: Double)) {
        step = place
        bar.label = label
        bar.update(place.start)
    }
}
