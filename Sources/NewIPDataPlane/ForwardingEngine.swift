import NewIPWire

/// The per-packet pipeline of a New IP router without its queues, for either dialect:
/// parse and validate → route lookup → (when forwarding) TTL or ping hop limit → contract
/// clauses (max-delay, latency-based budget, ping) on arrival; and the departure step that
/// charges the time spent here and the link delay to the packet's delay clauses.
///
/// Packets are rewritten in place and nothing here allocates; time is passed in. A route
/// whose next hop is `NextHop.local` delivers to this node. Not generic, so a runtime with
/// queues of its own (a SwiftNIO channel) uses it directly; `Router` adds the queues.
public struct ForwardingEngine: Sendable {
    public var table: ForwardingTable
    public var pingHops: PingHopPolicy
    /// Drops decided here, by reason.
    public private(set) var drops = DropCounters()
    /// Per egress interface: `true` where LBF's early drop is off (`QueueSpec.earlyDrop`), so a
    /// packet that cannot make its deadline is forwarded with its deadline already passed
    /// instead of dropped as `cannotMakeDeadline`. Interfaces beyond the array drop early.
    public var withoutEarlyDrop: [Bool] = []

    public init(table: ForwardingTable, pingHops: PingHopPolicy = .counting(limit: 64)) {
        self.table = table
        self.pingHops = pingHops
    }

    /// The arrival step: rewrites `packet` in place (TTL, ping hops, link padding cut),
    /// fills its metadata, and counts a drop.
    public mutating func process(_ packet: inout PacketBuffer, dialect: PacketDialect,
                                 ingress: Int, now: Nanoseconds) -> ForwardingDecision {
        let decision = decide(&packet, dialect: dialect, ingress: ingress, now: now)
        if case .drop(let reason) = decision { drops.record(reason) }
        return decision
    }

    /// The departure step, as the packet goes on a link with `linkDelay`: charges the time
    /// since arrival and the link delay to its delay clauses. Returns `false`, counting the
    /// drop, when max-delay forwarding finds it late.
    public mutating func depart(_ packet: inout PacketBuffer, now: Nanoseconds, linkDelay: Nanoseconds) -> Bool {
        guard charge(&packet, now: now, linkDelay: linkDelay) else {
            drops.record(.maxDelayExceeded)
            return false
        }
        return true
    }

    private func decide(_ packet: inout PacketBuffer, dialect: PacketDialect,
                        ingress: Int, now: Nanoseconds) -> ForwardingDecision {
        let parsed: ParsedHeader
        do {
            parsed = try packet.withUnsafeBytes { (bytes) throws(WireError) in try HeaderParser.parse(bytes, dialect: dialect) }
        } catch {
            return .drop(.malformed)
        }
        if parsed.length < packet.count { packet.removeLast(packet.count - parsed.length) }
        // The damper hold is what the previous hop recorded for this one: it survives the reset.
        packet.metadata = PacketMetadata(arrival: now, ingress: ingress, contracts: parsed.contracts,
                                         damperHold: packet.metadata.damperHold)
        let contracts = packet.metadata.contracts

        guard let route = table.lookup(parsed.destination) else { return .drop(.noRoute) }
        let maxDelay = packet.withUnsafeBytes { bytes in contracts.maxDelay.map { MaxDelayContract(unchecked: bytes, clause: $0) } }
        if let maxDelay, MaxDelayForwarding.isLate(maxDelay, spentHere: 0) { return .drop(.maxDelayExceeded) }
        if route.nextHop.isLocal { return .deliver }

        let hopsLeft = packet.withUnsafeMutableBytes { bytes -> Bool in
            if let ttlOffset = parsed.ttlOffset {
                guard bytes[ttlOffset] > 1 else { return false }
                bytes[ttlOffset] -= 1
            }
            if let ping = contracts.ping {
                let field = ping + PingContract.Field.hops
                guard let hops = PingProcessing.forwarded(hops: bytes.uint16BE(at: field), policy: pingHops) else { return false }
                bytes.storeUInt16BE(hops, at: field)
            }
            return true
        }
        guard hopsLeft else { return .drop(.ttlExpired) }

        if let offset = contracts.latencyBased {
            let contract = packet.withUnsafeBytes { LatencyBasedContract(unchecked: $0, clause: offset) }
            let interface = route.nextHop.interface
            let keeps = interface < withoutEarlyDrop.count && withoutEarlyDrop[interface]
            guard let budget = LatencyBasedForwarding.budget(for: contract, route: route)
                ?? (keeps ? LatencyBasedForwarding.budget(for: contract, route: route, earlyDrop: false) : nil) else {
                return .drop(.cannotMakeDeadline)
            }
            packet.metadata.earliestDeparture = now.saturatingAdd(budget.earliest)
            packet.metadata.deadline = now.saturatingAdd(budget.latest)
        }
        return .forward(egress: route.nextHop.interface, earliestDeparture: packet.metadata.earliestDeparture,
                        deadline: packet.metadata.deadline)
    }

    private func charge(_ packet: inout PacketBuffer, now: Nanoseconds, linkDelay: Nanoseconds) -> Bool {
        let spent = now - packet.metadata.arrival
        let contracts = packet.metadata.contracts
        return packet.withUnsafeMutableBytes { bytes in
            if let offset = contracts.maxDelay {
                let contract = MaxDelayContract(unchecked: UnsafeRawBufferPointer(bytes), clause: offset)
                if MaxDelayForwarding.isLate(contract, spentHere: spent) { return false }
                let departing = MaxDelayForwarding.departing(contract, spentHere: spent, linkDelay: linkDelay)
                bytes.storeUInt16BE(departing.delayExp, at: offset + MaxDelayContract.Field.delayExp)
            }
            if let offset = contracts.latencyBased {
                let contract = LatencyBasedContract(unchecked: UnsafeRawBufferPointer(bytes), clause: offset)
                let departing = LatencyBasedForwarding.departing(contract, spentHere: spent, linkDelay: linkDelay)
                bytes.storeUInt16BE(departing.experiencedDelay, at: offset + LatencyBasedContract.Field.experiencedDelay)
            }
            return true
        }
    }
}
