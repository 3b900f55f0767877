import HeapModule
import NewIPDataPlane
import NewIPTopology

/// What happens at an instant of virtual time.
enum SimulationEvent: Sendable {
    /// A link finished putting its packet on the wire.
    case transmitted(link: Int)
    /// The oldest packet propagating on a link reached the far end.
    case arrived(link: Int)
    /// An interface's queue said a packet may leave now (LBF holds packets back).
    case wake(node: Int, interface: Int)
    /// A node's routing protocol asked to run (its deadline came).
    case routing(node: Int)
    /// A link goes down, comes back or changes its delay (`LinkSchedules.changes`).
    case linkChange(Int)
    /// A flow sends its next packet.
    case send(flow: Int)
    /// A domain's checkpoint brings a revocation to its first hops (`Governance.revocations`).
    case revoke(Int)
    /// A domain's border routers put a new policy in force (`Governance.policyChanges`).
    case policyChange(Int)
}

/// Pending events ordered by (time, sequence): events at the same instant run in the order
/// they were scheduled, so a run never depends on how the heap breaks ties. A class because
/// the links schedule their own completions and arrivals on the simulator's queue.
final class EventQueue {
    private struct Entry: Comparable {
        var time: Nanoseconds
        var sequence: UInt64
        var event: SimulationEvent

        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.time, lhs.sequence) < (rhs.time, rhs.sequence) }
        static func == (lhs: Entry, rhs: Entry) -> Bool { (lhs.time, lhs.sequence) == (rhs.time, rhs.sequence) }
    }

    private var heap = Heap<Entry>()
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }

    func schedule(_ event: SimulationEvent, at time: Nanoseconds) {
        heap.insert(Entry(time: time, sequence: nextSequence, event: event))
        nextSequence += 1
    }

    /// The earliest event if it happens before `end`.
    func next(before end: Nanoseconds) -> (time: Nanoseconds, event: SimulationEvent)? {
        guard let first = heap.min, first.time < end else { return nil }
        heap.removeMin()
        return (first.time, first.event)
    }
}
