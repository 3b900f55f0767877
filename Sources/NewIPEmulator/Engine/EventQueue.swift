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

/// Where an event stands among those at its instant: the virtual time it was scheduled at,
/// then who scheduled it (the setup before the run, or a node's handler) and that scheduler's
/// own count. Each node's count moves only in its own handlers, so the key does not depend on
/// how the nodes are split among partitions: every partitioning runs every node's events in
/// one order, the order a single queue runs them in.
struct EventKey: Comparable {
    let time: Nanoseconds
    let scheduledAt: Nanoseconds
    /// The scheduler (0: the setup, `n + 1`: node `n`) in the top 24 bits, its count below.
    let origin: UInt64

    static let counterBits: UInt64 = 40
    static let maxScheduler = 1 << (64 - counterBits) - 1

    init(time: Nanoseconds, scheduledAt: Nanoseconds, scheduler: Int, count: UInt64) {
        precondition(scheduler >= 0 && scheduler <= Self.maxScheduler, "more nodes than an event key can name")
        precondition(count < 1 << Self.counterBits, "a node scheduled more events than an event key can count")
        self.time = time
        self.scheduledAt = scheduledAt
        origin = UInt64(scheduler) << Self.counterBits | count
    }

    static func < (lhs: EventKey, rhs: EventKey) -> Bool {
        (lhs.time, lhs.scheduledAt, lhs.origin) < (rhs.time, rhs.scheduledAt, rhs.origin)
    }
}

/// Pending events ordered by `EventKey`, so a run never depends on how the heap breaks ties
/// nor on how the nodes are partitioned. A class because the links schedule their own
/// completions and arrivals on their partition's queue. An entry is 32 bytes, its event
/// packed in 8: the heap's sift-down is bound by the entries it moves.
final class EventQueue {
    private var heap = EventHeap()
    /// Per scheduler (0: the setup, `n + 1`: node `n`), the events it scheduled so far.
    private var counts: [UInt64]
    /// Who schedules now and when (`handle(as:at:)` sets it before each handler runs).
    private var scheduler = 0
    private var now: Nanoseconds = 0

    /// A queue for a run of `nodes` nodes; it starts scheduling as the setup, at time 0.
    init(nodes: Int) {
        counts = Array(repeating: 0, count: nodes + 1)
    }

    var count: Int { heap.count }

    /// Events scheduled from now on come from `node`'s handler (`nil`: the setup's), at `now`.
    func handle(as node: Int?, at now: Nanoseconds) {
        scheduler = node.map { $0 + 1 } ?? 0
        self.now = now
    }

    /// The key of the scheduler's next event, at `time`; counts it.
    func nextKey(at time: Nanoseconds) -> EventKey {
        let key = EventKey(time: time, scheduledAt: now, scheduler: scheduler, count: counts[scheduler])
        counts[scheduler] += 1
        return key
    }

    func schedule(_ event: SimulationEvent, at time: Nanoseconds) {
        insert(event, key: nextKey(at: time))
    }

    /// Adds an event another queue keyed (a packet crossing to this partition).
    func insert(_ event: SimulationEvent, key: EventKey) {
        heap.insert(EventHeap.Entry(key: key, event: PackedEvent(event)))
    }

    /// When the earliest event happens; `nil` when none is pending.
    var nextTime: Nanoseconds? { heap.min?.key.time }

    /// The earliest event if it happens before `end`.
    func next(before end: Nanoseconds) -> (time: Nanoseconds, event: SimulationEvent)? {
        guard let first = heap.min, first.key.time < end else { return nil }
        heap.removeMin()
        return (first.key.time, first.event.event)
    }
}

/// A `SimulationEvent` in 8 bytes: the case in the top 4 bits, its index below (a wake's node
/// above bit 24, its interface in the 24 bits under it).
struct PackedEvent {
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
