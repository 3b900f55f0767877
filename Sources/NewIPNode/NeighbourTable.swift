import NewIPDataPlane
import NewIPWire

/// The neighbours of a node's interfaces, learned from neighbour solicitations and
/// advertisements, with the states and timers of OpenHarmony's `nndisc` (the Linux neighbour
/// table it configures) and IPv6 neighbour discovery (RFC 4861). Pure: every call takes
/// `now`; `poll(now:)` says what to send, `nextDeadline` when to call it again.
///
/// States (RFC 4861 §7.3.2 folded to four):
/// - `incomplete`: a solicitation went out, no answer yet; it is sent again every
///   `retransmitTimer`, at most `maxSolicitations` times, then the neighbour is `down`.
/// - `reachable`: an advertisement confirmed it; for `reachableTime`, or the hold time a
///   hello announced.
/// - `stale`: the confirmation ran out, or only its solicitation was heard (as `nndisc_rcv_ns`
///   records the solicitor). A stale neighbour is probed at once (the node's neighbours are
///   its links' peers, few and always in use, so Linux's wait-for-traffic DELAY state is
///   skipped): `maxSolicitations` solicitations `retransmitTimer` apart, then `down`.
/// - `down`: unanswered (Linux's FAILED); forgotten after `downRetention`.
///
/// One difference from `nndisc_rcv_na`: an advertisement from an unknown neighbour creates it
/// (a router's hello is an unsolicited advertisement); the reference only updates known ones.
public struct NeighbourTable: Sendable {
    public struct Timers: Hashable, Sendable {
        /// `ND_REACHABLE_TIME` (30 s): how long a confirmation lasts without a hold time.
        public var reachableTime: Nanoseconds
        /// `ND_RETRANS_TIMER` (1 s): between solicitations for one neighbour.
        public var retransmitTimer: Nanoseconds
        /// `NIP_NEIGH_MCAST_PROBES` / `NIP_NEIGH_UCAST_PROBES` (4): solicitations before `down`.
        public var maxSolicitations: Int
        /// `NIP_NEIGH_GC_STALETIME` (60 s): how long a `down` neighbour stays listed.
        public var downRetention: Nanoseconds

        public init(reachableTime: Nanoseconds = 30_000_000_000, retransmitTimer: Nanoseconds = 1_000_000_000,
                    maxSolicitations: Int = 4, downRetention: Nanoseconds = 60_000_000_000) {
            precondition(reachableTime > 0 && retransmitTimer > 0 && maxSolicitations > 0 && downRetention >= 0, "timers must be positive")
            self.reachableTime = reachableTime
            self.retransmitTimer = retransmitTimer
            self.maxSolicitations = maxSolicitations
            self.downRetention = downRetention
        }
    }

    public enum State: String, Hashable, Sendable, CaseIterable {
        case incomplete, reachable, stale, down
    }

    public struct Neighbour: Hashable, Sendable {
        public var interface: Int
        public var address: CompactAddress
        public var state: State
        /// What its last advertisement or solicitation carried (empty until then).
        public var linkLayerAddress: [UInt8]
        /// When an advertisement last confirmed it; `nil` when none has.
        public var confirmed: Nanoseconds?
        /// When it last changed state.
        public var since: Nanoseconds
        /// How long its last confirmation lasts.
        public var holdTime: Nanoseconds
        /// Solicitations sent since the last confirmation.
        public var solicitations: Int
        /// When the table next acts on it.
        public var deadline: Nanoseconds
    }

    /// What `poll` and the events ask of the driver, in order.
    public enum Output: Hashable, Sendable {
        /// Send a neighbour solicitation for `target` on `interface` (to `FF04`, as nndisc does).
        case solicit(target: CompactAddress, interface: Int)
        /// A neighbour changed state (`from` is `nil` when it is new): for logs and routing.
        case changed(address: CompactAddress, interface: Int, from: State?, to: State)
    }

    public let timers: Timers
    private var entries: [Key: Neighbour] = [:]

    private struct Key: Hashable { var interface: Int; var address: CompactAddress }

    public init(timers: Timers = Timers()) { self.timers = timers }

    // MARK: Events

    /// Starts resolving `address` on `interface` (or again, when it is down): a solicitation now.
    public mutating func resolve(_ address: CompactAddress, on interface: Int, now: Nanoseconds) -> [Output] {
        let key = Key(interface: interface, address: address)
        if let entry = entries[key], entry.state != .down { return [] }
        var out: [Output] = []
        var entry = entries[key] ?? Neighbour(interface: interface, address: address, state: .incomplete, linkLayerAddress: [],
                                               confirmed: nil, since: now, holdTime: timers.reachableTime, solicitations: 0, deadline: now)
        move(&entry, to: .incomplete, now: now, &out, wasNew: entries[key] == nil)
        solicit(&entry, now: now, &out)
        entries[key] = entry
        return out
    }

    /// An advertisement from `address` on `interface`: reachable for `holdTime` (a hello's) or
    /// `reachableTime`.
    public mutating func advertisementReceived(from address: CompactAddress, linkLayerAddress: [UInt8], holdTime: Nanoseconds? = nil,
                                               on interface: Int, now: Nanoseconds) -> [Output] {
        let key = Key(interface: interface, address: address)
        var out: [Output] = []
        let hold = holdTime ?? timers.reachableTime
        var entry = entries[key] ?? Neighbour(interface: interface, address: address, state: .reachable, linkLayerAddress: [],
                                               confirmed: nil, since: now, holdTime: hold, solicitations: 0, deadline: now)
        move(&entry, to: .reachable, now: now, &out, wasNew: entries[key] == nil)
        entry.linkLayerAddress = linkLayerAddress
        entry.confirmed = now
        entry.holdTime = hold
        entry.solicitations = 0
        entry.deadline = now + hold
        entries[key] = entry
        return out
    }

    /// A solicitation from `address` (its sender) on `interface`: a new or unresolved sender
    /// becomes stale with the link-layer address it came from; a known one stays as it is
    /// unless that address changed (Linux's `neigh_update` to STALE with override).
    public mutating func solicitationReceived(from address: CompactAddress, linkLayerAddress: [UInt8], on interface: Int,
                                              now: Nanoseconds) -> [Output] {
        let key = Key(interface: interface, address: address)
        var out: [Output] = []
        if var entry = entries[key] {
            guard entry.state == .incomplete || entry.state == .down || entry.linkLayerAddress != linkLayerAddress else { return [] }
            entry.linkLayerAddress = linkLayerAddress
            becomeStale(&entry, now: now, &out)
            entries[key] = entry
        } else {
            var entry = Neighbour(interface: interface, address: address, state: .stale, linkLayerAddress: linkLayerAddress,
                                  confirmed: nil, since: now, holdTime: timers.reachableTime, solicitations: 0, deadline: now)
            out.append(.changed(address: address, interface: interface, from: nil, to: .stale))
            entry.solicitations = 0
            solicit(&entry, now: now, &out)
            entries[key] = entry
        }
        return out
    }

    /// Forgets every neighbour of `interface` (its link went away).
    public mutating func removeAll(on interface: Int) {
        entries = entries.filter { $0.key.interface != interface }
    }

    // MARK: Timers

    /// Runs every timer due at `now`: retransmissions, expiries, removals.
    public mutating func poll(now: Nanoseconds) -> [Output] {
        var out: [Output] = []
        for key in entries.keys.sorted(by: { ($0.interface, $0.address) < ($1.interface, $1.address) }) {
            guard var entry = entries[key], entry.deadline <= now else { continue }
            switch entry.state {
            case .reachable:
                becomeStale(&entry, now: now, &out)
            case .incomplete, .stale:
                if entry.solicitations < timers.maxSolicitations {
                    solicit(&entry, now: now, &out)
                } else {
                    move(&entry, to: .down, now: now, &out, wasNew: false)
                    entry.deadline = now + timers.downRetention
                }
            case .down:
                entries[key] = nil
                continue
            }
            entries[key] = entry
        }
        return out
    }

    /// When `poll` next has something to do; `nil` when the table is empty.
    public var nextDeadline: Nanoseconds? { entries.values.lazy.map(\.deadline).min() }

    // MARK: Observation

    /// The neighbours of `interface` (every interface when `nil`), by interface then address.
    public func neighbours(on interface: Int? = nil) -> [Neighbour] {
        entries.values.filter { interface == nil || $0.interface == interface }
            .sorted { ($0.interface, $0.address) < ($1.interface, $1.address) }
    }

    public func neighbour(_ address: CompactAddress, on interface: Int) -> Neighbour? {
        entries[Key(interface: interface, address: address)]
    }

    // MARK: Steps

    private func move(_ entry: inout Neighbour, to state: State, now: Nanoseconds, _ out: inout [Output], wasNew: Bool) {
        guard wasNew || entry.state != state else { return }
        out.append(.changed(address: entry.address, interface: entry.interface, from: wasNew ? nil : entry.state, to: state))
        entry.state = state
        entry.since = now
    }

    private func becomeStale(_ entry: inout Neighbour, now: Nanoseconds, _ out: inout [Output]) {
        move(&entry, to: .stale, now: now, &out, wasNew: false)
        entry.solicitations = 0
        solicit(&entry, now: now, &out)
    }

    private func solicit(_ entry: inout Neighbour, now: Nanoseconds, _ out: inout [Output]) {
        out.append(.solicit(target: entry.address, interface: entry.interface))
        entry.solicitations += 1
        entry.deadline = now + timers.retransmitTimer
    }
}
