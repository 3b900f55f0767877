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
    /// A link goes down, comes back or changes its delay, or a node crashes or restarts
    /// (`FaultSchedules.changes`).
    case scheduledChange(Int)
    /// A flow sends its next packet.
    case send(flow: Int)
    /// A domain's checkpoint brings a revocation to its first hops (`Governance.revocations`).
    case revoke(Int)
    /// A domain's border routers put a new policy in force (`Governance.policyChanges`).
    case policyChange(Int)
    /// A node's neighbour discovery asked to run (a hello, solicitation or expiry is due).
    case neighbours(node: Int)
}

/// Pending events ordered by (time, sequence): events at the same instant run in the order
/// they were scheduled, so a run never depends on how the heap breaks ties. A class because
/// the links schedule their own completions and arrivals on the simulator's queue. An entry
/// holds its event packed in 8 bytes (24 bytes instead of 40): the heap's sift-down, a
/// twentieth of an emulation's time, is bound by the entries it moves.
final class EventQueue {
    private struct Entry: Comparable {
        var time: Nanoseconds
        var sequence: UInt64
        var event: PackedEvent

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            lhs.time < rhs.time || (lhs.time == rhs.time && lhs.sequence < rhs.sequence)
        }
        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.time == rhs.time && lhs.sequence == rhs.sequence }
    }

    private var heap = Heap<Entry>()
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }

    func schedule(_ event: SimulationEvent, at time: Nanoseconds) {
        heap.insert(Entry(time: time, sequence: nextSequence, event: PackedEvent(event)))
        nextSequence += 1
    }

    /// The earliest event if it happens before `end`.
    func next(before end: Nanoseconds) -> (time: Nanoseconds, event: SimulationEvent)? {
        guard let first = heap.min, first.time < end else { return nil }
        heap.removeMin()
        return (first.time, first.event.event)
    }
}

/// A `SimulationEvent` in 8 bytes: the case in the top 4 bits, its index below (a wake's node
/// above bit 24, its interface in the 24 bits under it).
private struct PackedEvent {
    private let bits: UInt64

    private static let kindShift: UInt64 = 60
    private static let interfaceBits: UInt64 = 24

    init(_ event: SimulationEvent) {
        func pack(_ kind: UInt64, _ index: Int) -> UInt64 {
            precondition(index >= 0 && UInt64(index) < 1 << Self.kindShift, "event index out of range")
            return kind << Self.kindShift | UInt64(index)
        }
        switch event {
        case .transmitted(let link): bits = pack(0, link)
        case .arrived(let link): bits = pack(1, link)
        case .wake(let node, let interface):
            precondition(interface >= 0 && UInt64(interface) < 1 << Self.interfaceBits
                         && node >= 0 && UInt64(node) < 1 << (Self.kindShift - Self.interfaceBits), "wake index out of range")
            bits = pack(2, node << Self.interfaceBits | interface)
        case .routing(let node): bits = pack(3, node)
        case .scheduledChange(let index): bits = pack(4, index)
        case .send(let flow): bits = pack(5, flow)
        case .revoke(let index): bits = pack(6, index)
        case .policyChange(let index): bits = pack(7, index)
        case .neighbours(let node): bits = pack(8, node)
        }
    }

    var event: SimulationEvent {
        let index = Int(bits & (1 << Self.kindShift - 1))
        switch bits >> Self.kindShift {
        case 0: return .transmitted(link: index)
        case 1: return .arrived(link: index)
        case 2: return .wake(node: index >> Self.interfaceBits, interface: index & (1 << Self.interfaceBits - 1))
        case 3: return .routing(node: index)
        case 4: return .scheduledChange(index)
        case 5: return .send(flow: index)
        case 6: return .revoke(index)
        case 7: return .policyChange(index)
        default: return .neighbours(node: index)
        }
    }
}
