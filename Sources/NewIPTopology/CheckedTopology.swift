/// A topology `Topology.problems()` found nothing wrong with. Only the parser makes one (it
/// checks what it reads), so whoever takes one, as `Emulation` does, need not check it
/// again: on a 100,000-node topology the checks take seconds.
public struct CheckedTopology: Sendable {
    public private(set) var topology: Topology

    /// Only for a topology whose `problems()` are empty.
    init(checkedAlready topology: Topology) { self.topology = topology }

    /// The run's seed, the one setting that may change after the checks: no check reads it.
    public var seed: UInt64 {
        get { topology.seed }
        set { topology.seed = newValue }
    }
}
