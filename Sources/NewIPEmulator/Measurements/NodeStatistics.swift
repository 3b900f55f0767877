import NewIPDataPlane
import NewIPTopology
/// What a node's devices and flows saw: the node's drops come from its behaviour.
struct NodeStatistics {
    /// Packets taken from the node's devices.
    var received = 0
    /// Packets its flows sent.
    var originated = 0
    /// Packets put on its devices.
    var transmitted = 0
    /// Transmitted packets that had arrived on one of its interfaces.
    var forwarded = 0
    /// Packets addressed to it.
    var delivered = 0
    /// What the emulator dropped at it rather than the node itself (`node-down` while crashed).
    var drops = DropCounters()
}
