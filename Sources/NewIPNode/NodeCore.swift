import NewIPDataPlane
import NewIPTopology
import NewIPWire

/// One node's logic for every role — host, router, gateway — with no clock and no I/O, in the
/// shape of smoltcp's `Interface`: a driver hands it packets and the time, and asks it for
/// what to send and when it next has something. The emulator's event loop and the real
/// node's SwiftNIO loop are two such drivers. A class: one owner drives it, and calls from
/// another module then never copy its state.
///
/// New IP interfaces run the data plane's `Router` (LPM, TTL, contracts, egress queues, the
/// departure step). Plain IPv4 and IPv6 interfaces (ManyNets) forward IP + UDP on the same
/// forwarding table: hop limit or TTL decremented, the interface's egress queue, no contracts
/// (IP packets carry none). A gateway also translates with the data plane's `Gateway`: a
/// compact packet addressed to a name it answers for (a `map` binding or its compact prefix)
/// becomes IPv4 or IPv6 + UDP and is forwarded on the IP side; an IP packet addressed to a
/// name it answers for becomes compact + UDP and enters the router. A packet's network is the
/// network of the interface it arrived on (or was sent from). A real gateway's IP side is the
/// host's own stack (`InterfaceNetwork.hostIP`, a TUN device): both families, and everything
/// the kernel routes into it is for a name the gateway answers for.
///
/// A host runs the same arrival step (validation, contracts) on what the network brings it
/// but never forwards others' packets (`notForwarding`); its own packets enter the pipeline
/// as if from a local interface, so the first hop's queue and contracts apply to them too.
///
/// Every role answers for itself: a packet for the node is classified (`LocalDestination`:
/// an application's UDP port, a ping identifier, the flows' probe port); an echo request is
/// answered, and a router that drops an echo request for its hop limit tells the sender, as
/// traceroute needs. Answers wait until the driver calls `poll(now:newBuffer:_:)`, which
/// sends them through the same pipeline as any packet the node sends.
public final class NodeCore {
    /// What a node is made of.
    public struct Setup {
        public var dialect: PacketDialect
        /// Whether packets from the network may be forwarded (false on hosts).
        public var forwards: Bool
        /// The network of each interface: New IP in the dialect, plain IPv4/IPv6, or the host's stack.
        public var networks: [InterfaceNetwork]
        /// Routes to every destination, and `NextHop.local` for the node's own addresses.
        public var table: ForwardingTable
        /// One egress queue per interface.
        public var queues: [EgressQueue]
        /// Propagation delay of each interface's link, charged to contracts on departure.
        public var linkDelays: [Nanoseconds]
        /// The node's own addresses, its primary one first (a gateway delivers to these and
        /// translates the rest of its names).
        public var ownAddresses: [FrameworkAddress]
        /// A gateway's names on either side; `nil` on hosts and routers.
        public var gateway: GatewayMapping?
        public var pingHops: PingHopPolicy
        /// Each interface's address, the source of the hop-limit answers sent for packets that
        /// arrived there (`nil`: the node's first own address).
        public var interfaceAddresses: [FrameworkAddress?]
        /// A first hop's source authentication; `nil`: no check.
        public var sourceAuthentication: SourceAuthentication?
        /// A domain border's policy, evaluated on every New IP packet that arrives (after the
        /// source check); `nil`: none.
        public var borderPolicy: BorderPolicy?
        /// Routes that honour senders' path constraints; `nil`: constraints are not looked at.
        public var pathConstraints: PathConstraintRouting?
        /// Neighbour discovery on the compact interfaces; `nil`: none.
        public var neighbourDiscovery: NeighbourDiscovery?

        public init(dialect: PacketDialect, forwards: Bool, networks: [InterfaceNetwork], table: ForwardingTable,
                    queues: [EgressQueue], linkDelays: [Nanoseconds], ownAddresses: [FrameworkAddress],
                    interfaceAddresses: [FrameworkAddress?] = [], gateway: GatewayMapping? = nil,
                    pingHops: PingHopPolicy = .counting(limit: 64), sourceAuthentication: SourceAuthentication? = nil,
                    borderPolicy: BorderPolicy? = nil, pathConstraints: PathConstraintRouting? = nil,
                    neighbourDiscovery: NeighbourDiscovery? = nil) {
            self.dialect = dialect
            self.forwards = forwards
            self.networks = networks
            self.table = table
            self.queues = queues
            self.linkDelays = linkDelays
            self.ownAddresses = ownAddresses
            self.gateway = gateway
            self.pingHops = pingHops
            self.interfaceAddresses = interfaceAddresses
            self.sourceAuthentication = sourceAuthentication
            self.borderPolicy = borderPolicy
            self.pathConstraints = pathConstraints
            self.neighbourDiscovery = neighbourDiscovery
        }
    }

    /// What became of a packet handed to the node.
    public enum Arrival {
        /// It waits in `egress`'s queue: ask `transmit(on:now:)` for it from `nextTransmitTime(on:)`.
        case queued(egress: Int)
        /// It is for this node, at `destination`; the buffer comes back for reuse once handed on.
        case delivered(PacketBuffer, to: LocalDestination)
        /// It was dropped; the buffer comes back for reuse.
        case dropped(DropReason, PacketBuffer)
    }

    public private(set) var router: Router
    public let dialect: PacketDialect
    public let networks: [InterfaceNetwork]
    public let forwards: Bool
    /// The data plane's translator; `nil` on a node that is not a gateway.
    public let gateway: Gateway?
    public private(set) var translations = TranslationCounters()
    /// Egress queues of the IP interfaces (the router's queues serve the New IP ones).
    private var ipQueues: [EgressQueue]
    private var ipDrops = DropCounters()
    private let ownAddresses: Set<FrameworkAddress>
    /// Whether any interface is plain IP (the pure New IP path skips the network check).
    private let speaksIP: Bool
    private let interfaceAddresses: [FrameworkAddress?]
    private let firstOwnAddress: FrameworkAddress?
    /// Answers built on arrival, sent by `poll`; at most `answerLimit` wait.
    private var answers: [[UInt8]] = []
    private var hostDrops = DropCounters()
    /// What the node answered for itself.
    public private(set) var answered = AnswerCounters()
    /// A first hop's source authentication, and what it let through.
    public private(set) var sourceAuthentication: SourceAuthentication?
    public private(set) var sourceProofs = SourceProofCounters()
    /// A domain border's policy and what its rules decided.
    public private(set) var borderPolicy: BorderPolicy?
    /// Routes that honour senders' path constraints.
    public let pathConstraints: PathConstraintRouting?
    /// Whether the arrival hooks above exist, fixed at setup: immutable flags cost the hot path
    /// nothing, where reading the mutable hooks is a dynamic exclusivity check per packet, and
    /// testing an optional hook against `nil` copies it (a table of routes: a retain per array).
    private let checksSources: Bool
    private let checksPolicy: Bool
    private let honoursPathConstraints: Bool
    /// Neighbour discovery: its table, timers and counters (`nil`: the node runs none).
    public private(set) var neighbourDiscovery: NeighbourDiscovery?
    private let runsNeighbourDiscovery: Bool
    /// Neighbour-discovery packets waiting for `poll`, each for one interface's link.
    private var linkAnswers: [NeighbourDiscovery.LinkPacket] = []

    /// Answers waiting beyond this many are not built (a flood of expiring requests must not
    /// grow memory); they are counted in `answered.suppressed`.
    public static let answerLimit = 64

    public init(_ setup: Setup) {
        router = Router(table: setup.table, queues: setup.queues, linkDelays: setup.linkDelays, pingHops: setup.pingHops)
        dialect = setup.dialect
        networks = setup.networks
        forwards = setup.forwards
        ipQueues = setup.queues
        ownAddresses = Set(setup.ownAddresses)
        gateway = setup.gateway.map { Gateway(mapping: $0) }
        speaksIP = setup.networks.contains(where: \.isIP)
        interfaceAddresses = setup.interfaceAddresses
        firstOwnAddress = setup.ownAddresses.first
        sourceAuthentication = setup.sourceAuthentication
        borderPolicy = setup.borderPolicy
        pathConstraints = setup.pathConstraints
        checksSources = setup.sourceAuthentication != nil
        checksPolicy = setup.borderPolicy != nil
        honoursPathConstraints = setup.pathConstraints != nil
        neighbourDiscovery = setup.neighbourDiscovery
        runsNeighbourDiscovery = setup.neighbourDiscovery != nil && setup.dialect == .compact
    }

    // MARK: Packets in

    /// A packet that arrived from the network on `interface`.
    public func receive(_ packet: consuming PacketBuffer, on interface: Int, now: Nanoseconds) -> Arrival {
        let network = speaksIP ? networks[interface] : .newIP
        if runsNeighbourDiscovery, network == .newIP, takeNeighbourDiscovery(packet, on: interface, now: now) {
            return .delivered(packet, to: .neighbourDiscovery)
        }
        var proven: Bool?
        if checksSources, network == .newIP {
            let before = sourceProofs.proven
            if let refusal = checkSource(packet, on: interface, now: now) {
                hostDrops.record(refusal)
                if sourceAuthentication?.notices != nil { noteRefusal(packet, refusal, on: interface, now: now) }
                return .dropped(refusal, packet)
            }
            if sourceAuthentication!.firstHopInterfaces.contains(interface) { proven = sourceProofs.proven > before }
        }
        if checksPolicy, network == .newIP, let refusal = checkPolicy(packet, proven: proven, now: now) {
            hostDrops.record(refusal)
            return .dropped(refusal, packet)
        }
        return arrive(consume packet, network: network, ingress: interface, fromNetwork: true, now: now)
    }

    /// Hands a neighbour solicitation or advertisement to neighbour discovery; `false` for
    /// any other packet.
    private func takeNeighbourDiscovery(_ packet: borrowing PacketBuffer, on interface: Int, now: Nanoseconds) -> Bool {
        let (taken, send) = packet.withUnsafeBytes { neighbourDiscovery!.receive($0, on: interface, now: now) }
        linkAnswers += send
        return taken
    }

    /// Routes the addresses autoconfiguration took to the node itself, and sends everything
    /// else towards the router whose prefix they are in when the node has no other way out.
    private func routeConfiguredAddresses() {
        for case .configured(let interface, let address, let router) in neighbourDiscovery!.takeConfigured() {
            insert(Route(nextHop: .local), for: RoutePrefix(exactly: .compact(address)))
            let everything = RoutePrefix.compact(.all)
            if !routes.contains(where: { $0.prefix == everything }) {
                insert(Route(nextHop: NextHop(interface: interface, neighbour: NeighbourID(rawValue: router.storage))),
                       for: everything)
            }
        }
    }

    /// Refuses packets from `source` at this first hop from now on (a revocation reached it);
    /// `false` when the node checks no sources or already refused it.
    @discardableResult
    public func revoke(_ source: FrameworkAddress) -> Bool { sourceAuthentication?.revoke(source) ?? false }

    /// Builds a signed refusal notice to the refused packet's claimed source, for `poll` to send
    /// (slow path: bounded by the notices' token bucket and `answerLimit`).
    private func noteRefusal(_ packet: borrowing PacketBuffer, _ refusal: DropReason, on interface: Int, now: Nanoseconds) {
        guard let reason = RefusalNotice.Reason(refusal), answers.count < Self.answerLimit,
              let responder = interfaceAddresses.indices.contains(interface) ? interfaceAddresses[interface] ?? firstOwnAddress : firstOwnAddress
        else { return }
        let dialect = dialect
        let unixTime = UInt64(clamping: now) &+ (sourceAuthentication?.clockOffset ?? 0)
        let answer = packet.withUnsafeBytes { bytes -> [UInt8]? in
            guard let source = (try? NewIPPacketView(bytes, dialect: dialect))?.source,
                  let notice = sourceAuthentication?.notices?.notice(refusing: bytes, reason: reason, now: now, unixTime: unixTime)
            else { return nil }
            return PacketBuilder.packet(dialect: dialect, source: responder, destination: source, nextHeader: .control,
                                        clauses: [.ping(PingContract(code: RefusalNotice.pingCode, hops: 0, timestamp: WireTime.microseconds(now)))],
                                        payload: notice.bytes)
        }
        guard let answer else { return }
        answers.append(answer)
        answered.refusalNotices += 1
    }

    /// A first hop's check of the packet's source authenticator (a malformed packet is left to
    /// the arrival step, which names what is wrong with it).
    private func checkSource(_ packet: borrowing PacketBuffer, on interface: Int, now: Nanoseconds) -> DropReason? {
        guard sourceAuthentication?.firstHopInterfaces.contains(interface) == true else { return nil }
        let dialect = dialect
        // In place: the verifier's replay filter is large, a copy per packet would cost it whole.
        return packet.withUnsafeBytes { bytes -> DropReason? in
            guard let view = try? NewIPPacketView(bytes, dialect: dialect) else { return nil }
            return sourceAuthentication!.check(view, now: now, counters: &sourceProofs)
        }
    }

    /// Puts a border's new rules in force from the next packet on (a policy change reached
    /// it); returns what the previous rules decided, `nil` when the node is no border.
    @discardableResult
    public func replacePolicyRules(_ rules: [BorderPolicy.Rule]) -> BorderPolicy.Counters? {
        borderPolicy?.replaceRules(rules)
    }

    /// A border's policy on an arriving packet (a malformed packet is left to the arrival step).
    private func checkPolicy(_ packet: borrowing PacketBuffer, proven: Bool?, now: Nanoseconds) -> DropReason? {
        let dialect = dialect
        return packet.withUnsafeBytes { bytes -> DropReason? in
            guard let view = try? NewIPPacketView(bytes, dialect: dialect) else { return nil }
            return borderPolicy!.check(view, now: now, proven: proven)
        }
    }

    /// The table a forwarded packet's path constraint asks for (`nil`: it carries none, or it
    /// is for this node), or why no way on honours it.
    private func constrainedTable(_ packet: borrowing PacketBuffer) -> Result<ForwardingTable?, PathConstraintRefusal> {
        guard let pathConstraints else { return .success(nil) }
        let dialect = dialect
        return packet.withUnsafeBytes { bytes -> Result<ForwardingTable?, PathConstraintRefusal> in
            guard let view = try? NewIPPacketView(bytes, dialect: dialect) else { return .success(nil) }
            // The common case first: a packet without a constraint costs no lookup.
            let decision = pathConstraints.decision(for: view)
            if case .unconstrained = decision { return .success(nil) }
            if router.engine.table.lookup(view.destination)?.nextHop.isLocal == true { return .success(nil) }
            switch decision {
            case .unconstrained: return .success(nil)
            case .table(let table): return .success(table)
            case .refuse(let reason): return .failure(PathConstraintRefusal(reason: reason))
            }
        }
    }

    /// A packet the node itself sends, from `interface`'s address (which tells its network on
    /// a node with several); `nil` for a node in one network.
    public func send(_ packet: consuming PacketBuffer, from interface: Int?, now: Nanoseconds) -> Arrival {
        arrive(consume packet, network: interface.map { networks[$0] } ?? .newIP, ingress: -1, fromNetwork: false, now: now)
    }

    /// Charges `delay` as `interface`'s link delay to contracts from now on (a measured one,
    /// in place of the configured one).
    public func setLinkDelay(_ delay: Nanoseconds, on interface: Int) { router.linkDelays[interface] = delay }

    /// A packet for the neighbour on a New IP `interface` only (link-scoped control traffic,
    /// hop limit 1): queued there without a route lookup, so it goes before any route exists.
    public func send(_ packet: consuming PacketBuffer, onLink interface: Int, now: Nanoseconds) -> Arrival {
        switch router.enqueue(consume packet, on: interface, now: now) {
        case .forward(let egress, _, _): return .queued(egress: egress)
        case .drop(let reason, let packet): return .dropped(reason, packet)
        case .deliver(let packet): return .dropped(.noRoute, packet)
        }
    }

    // MARK: Packets out

    /// The next packet `interface` may send at `now`, its contracts charged with the time
    /// spent here and the link delay; `nil` when none may leave yet. Packets dropped on the
    /// way (late in the queue, past their max delay) go to `discarded`.
    public func transmit(on interface: Int, now: Nanoseconds,
                                  discarded: (consuming PacketBuffer, DropReason) -> Void) -> PacketBuffer? {
        speaksIP && networks[interface].isIP ? ipQueues[interface].dequeue(now: now, discarded: discarded)
            : router.transmit(on: interface, now: now, discarded: discarded)
    }

    /// When `interface` next has a packet to send; `nil` when its queue is empty. Read from the
    /// queue in place: calling a method of `router` copied the whole router out of the node (a
    /// retain and release of every array of its table) on each call.
    public func nextTransmitTime(on interface: Int) -> Nanoseconds? {
        speaksIP && networks[interface].isIP ? ipQueues[interface].nextEligibleTime : router.queues[interface].nextEligibleTime
    }

    /// The earliest time any interface has a packet to send (the driver's next wake-up).
    public var nextDeadline: Nanoseconds? { networks.indices.compactMap(nextTransmitTime(on:)).min() }

    /// Whether answers wait for `poll`.
    public var hasAnswers: Bool { !answers.isEmpty || !linkAnswers.isEmpty }

    /// When neighbour discovery next wants `poll` (solicitations, expiries, hellos); `nil`: never.
    public var neighbourDeadline: Nanoseconds? { neighbourDiscovery?.nextDeadline }

    /// Neighbour discovery's state changes since the last call (for a driver's event log).
    public func takeNeighbourChanges() -> [NeighbourTable.Output] { neighbourDiscovery?.takeChanges() ?? [] }

    /// Starts resolving `address` on `interface` (a solicitation waits for `poll`).
    public func resolveNeighbour(_ address: CompactAddress, on interface: Int, now: Nanoseconds) {
        guard runsNeighbourDiscovery else { return }
        linkAnswers += neighbourDiscovery!.resolve(address, on: interface, now: now)
    }

    /// Sends the answers built since the last call (echo replies, hop-limit answers) through
    /// the node's own pipeline, each in a buffer from `newBuffer`; `handle` hears what became
    /// of each, as it would from `send`.
    /// Neighbour discovery's packets (answers, solicitations, hellos due at `now`) go on their
    /// links without a route lookup.
    public func poll(now: Nanoseconds, newBuffer: () -> PacketBuffer, _ handle: (Arrival) -> Void) {
        let pending = answers
        answers.removeAll(keepingCapacity: true)
        for bytes in pending {
            guard let buffer = filled(newBuffer(), with: bytes) else { continue }
            handle(send(buffer, from: nil, now: now))
        }
        if runsNeighbourDiscovery, let deadline = neighbourDiscovery!.nextDeadline, deadline <= now {
            linkAnswers += neighbourDiscovery!.poll(now: now)
            routeConfiguredAddresses()
        }
        let onLinks = linkAnswers
        linkAnswers.removeAll()
        for packet in onLinks {
            guard let buffer = filled(newBuffer(), with: packet.bytes) else { continue }
            handle(send(buffer, onLink: packet.interface, now: now))
        }
    }

    /// `buffer` holding `bytes`; `nil` (counted) when they do not fit.
    private func filled(_ buffer: consuming PacketBuffer, with bytes: [UInt8]) -> PacketBuffer? {
        var buffer = buffer
        guard bytes.count <= buffer.capacity - buffer.initialHeadroom else {
            answered.suppressed += 1
            return nil
        }
        buffer.receive { space in
            bytes.withUnsafeBytes { space.copyMemory(from: $0) }
            return bytes.count
        }
        return buffer
    }

    // MARK: Observation

    /// Packets waiting in `interface`'s queue (asked after every transmission: no queue copy).
    public func queuedPackets(on interface: Int) -> Int {
        speaksIP && networks[interface].isIP ? ipQueues[interface].packetCount : router.queues[interface].packetCount
    }

    /// The egress queue of `interface`.
    public func queue(on interface: Int) -> EgressQueue {
        speaksIP && networks[interface].isIP ? ipQueues[interface] : router.queues[interface]
    }

    /// Every drop the node decided, queues included (a gateway's translation failures are in `translations`).
    public var drops: DropCounters {
        guard speaksIP else { return router.drops + hostDrops }
        return networks.indices.filter { networks[$0].isIP }.reduce(router.drops + ipDrops + hostDrops) { $0 + ipQueues[$1].drops }
    }

    // MARK: Routes

    public var routes: [(prefix: RoutePrefix, route: Route)] { router.engine.table.entries }

    @discardableResult
    public func insert(_ route: Route, for prefix: RoutePrefix) -> Route? { router.engine.table.insert(route, for: prefix) }

    @discardableResult
    public func remove(_ prefix: RoutePrefix) -> Route? { router.engine.table.remove(prefix) }

    // MARK: Pipeline

    private func arrive(_ packet: consuming PacketBuffer, network: InterfaceNetwork, ingress: Int, fromNetwork: Bool,
                                 now: Nanoseconds) -> Arrival {
        switch network {
        case .newIP: forwardNewIP(consume packet, ingress: ingress, fromNetwork: fromNetwork, translated: false, now: now)
        case .ipv4, .ipv6: forwardIP(consume packet, ipv6: network == .ipv6, ingress: ingress, now: now)
        case .hostIP: fromHostStack(consume packet, ingress: ingress, now: now)
        }
    }

    /// What the host's stack routed into a gateway: IPv4 or IPv6 by its version, for a name the
    /// gateway answers for, so translated without a route lookup (`unmapped` when it is not).
    private func fromHostStack(_ packet: consuming PacketBuffer, ingress: Int, now: Nanoseconds) -> Arrival {
        let version = packet.withUnsafeBytes { $0.first.map { $0 >> 4 } }
        guard version == 4 || version == 6 else { return dropIP(packet, .malformed) }
        return forwardIP(consume packet, ipv6: version == 6, ingress: ingress, forGateway: gateway != nil, now: now)
    }

    private func forwardNewIP(_ packet: consuming PacketBuffer, ingress: Int, fromNetwork: Bool, translated: Bool,
                                       now: Nanoseconds) -> Arrival {
        if fromNetwork && !forwards {
            // The arrival step (validation, contracts) runs, but nothing is queued for others.
            var packet = consume packet
            switch router.engine.process(&packet, dialect: dialect, ingress: ingress, now: now) {
            case .deliver: return deliverLocally(packet, now: now)
            case .drop(let reason): return dropped(reason, packet, fromNetwork: true, ingress: ingress)
            case .forward: return .dropped(.notForwarding, packet)
            }
        }
        if honoursPathConstraints, fromNetwork {
            switch constrainedTable(packet) {
            case .success(.some(var table)):
                // A constrained packet is routed by its constraint's table, swapped in for the call.
                swap(&router.engine.table, &table)
                let decision = router.receive(consume packet, dialect: dialect, ingress: ingress, now: now)
                swap(&router.engine.table, &table)
                return settle(decision, ingress: ingress, fromNetwork: fromNetwork, translated: translated, now: now)
            case .success(.none):
                break
            case .failure(let refusal):
                hostDrops.record(refusal.reason)
                return .dropped(refusal.reason, packet)
            }
        }
        let decision = router.receive(consume packet, dialect: dialect, ingress: ingress, now: now)
        return settle(decision, ingress: ingress, fromNetwork: fromNetwork, translated: translated, now: now)
    }

    /// What the router's decision means for the driver; a packet for a name a gateway answers
    /// for goes over to the IP side.
    private func settle(_ decision: consuming RouterDecision, ingress: Int, fromNetwork: Bool, translated: Bool,
                        now: Nanoseconds) -> Arrival {
        switch consume decision {
        case .forward(let egress, _, _): return .queued(egress: egress)
        case .drop(let reason, let packet): return dropped(reason, packet, fromNetwork: fromNetwork, ingress: ingress)
        case .deliver(var packet):
            guard let gateway, !isOwn(compactDestinationOf: packet) else { return deliverLocally(packet, now: now) }
            guard !translated else { return fail(.loop, packet) }
            // A name the gateway answers for: over to the IP side.
            let family: Gateway.IPFamily
            do throws(GatewayError) { family = try gateway.compactToIP(&packet) } catch {
                return fail(TranslationFailure(error), packet)
            }
            translations.compactToIP += 1
            return forwardIP(consume packet, ipv6: family == .ipv6, ingress: ingress, translated: true, now: now)
        }
    }

    /// A New IP packet for this node: classified, and an echo request answered.
    private func deliverLocally(_ packet: consuming PacketBuffer, now: Nanoseconds) -> Arrival {
        let packet = consume packet
        let destination = packet.withUnsafeBytes { bytes -> LocalDestination? in
            guard let view = try? NewIPPacketView(bytes, dialect: dialect) else { return nil }
            return view.localDestination
        }
        guard let destination else {
            hostDrops.record(.noListener)
            return .dropped(.noListener, packet)
        }
        if destination == .echoRequest {
            if answer(packet, type: ControlMessage.echoReply, responder: nil) { answered.echoReplies += 1 }
        }
        return .delivered(packet, to: destination)
    }

    /// A drop; an echo request from the network dropped for its hop limit is answered.
    private func dropped(_ reason: DropReason, _ packet: consuming PacketBuffer, fromNetwork: Bool, ingress: Int) -> Arrival {
        let packet = consume packet
        if reason == .ttlExpired && fromNetwork && ingress >= 0 {
            let isRequest = packet.withUnsafeBytes { bytes in
                (try? NewIPPacketView(bytes, dialect: dialect)).map { $0.isControl && $0.pingCode == PingContract.request } ?? false
            }
            if isRequest, answer(packet, type: ControlMessage.hopLimitExceeded,
                                 responder: interfaceAddresses.indices.contains(ingress) ? interfaceAddresses[ingress] : nil) {
                answered.hopLimitExceeded += 1
            }
        }
        return .dropped(reason, packet)
    }

    /// Builds the answer to an echo request (slow path: pings are rare) for `poll` to send;
    /// `false` when the request cannot be answered or too many answers wait.
    private func answer(_ request: borrowing PacketBuffer, type: UInt8, responder: FrameworkAddress?) -> Bool {
        guard answers.count < Self.answerLimit else {
            answered.suppressed += 1
            return false
        }
        let dialect = dialect
        guard let parsed = request.withUnsafeBytes({ ParsedPacket($0, dialect: dialect) }),
              let from = responder ?? (type == ControlMessage.echoReply ? parsed.destination : firstOwnAddress),
              let bytes = PacketBuilder.answer(to: parsed, type: type, responder: from, dialect: dialect) else { return false }
        answers.append(bytes)
        return true
    }

    private func isOwn(compactDestinationOf packet: PacketBuffer) -> Bool {
        packet.withUnsafeBytes { bytes in
            guard let view = try? CompactHeaderView(bytes) else { return true }
            return ownAddresses.contains(.compact(view.destination))
        }
    }

    /// Validates the IP header, delivers, translates or forwards: hop limit (TTL) decremented,
    /// then the egress interface's queue. `forGateway`: the packet is for a name the gateway
    /// answers for, whatever the table says.
    private func forwardIP(_ packet: consuming PacketBuffer, ipv6: Bool, ingress: Int, translated: Bool = false,
                                    forGateway: Bool = false, now: Nanoseconds) -> Arrival {
        var packet = consume packet
        guard let header = packet.withUnsafeBytes({ bytes in IPHeader(bytes, ipv6: ipv6) }) else { return dropIP(packet, .malformed) }
        if header.length < packet.count { packet.removeLast(packet.count - header.length) }
        packet.metadata = PacketMetadata(arrival: now, ingress: ingress, contracts: ContractLocations())
        guard let route = forGateway ? Route(nextHop: .local) : router.engine.table.lookup(header.destination) else {
            return dropIP(packet, .noRoute)
        }
        if route.nextHop.isLocal {
            guard let gateway, !ownAddresses.contains(header.destination) else { return .delivered(packet, to: .ipPacket) }
            guard !translated else { return fail(.loop, packet) }
            // A name the gateway answers for: over to the island.
            do throws(GatewayError) {
                if ipv6 { try gateway.ipv6ToCompact(&packet) } else { try gateway.ipv4ToCompact(&packet) }
            } catch {
                return fail(TranslationFailure(error), packet)
            }
            translations.ipToCompact += 1
            return forwardNewIP(consume packet, ingress: ingress, fromNetwork: false, translated: true, now: now)
        }
        let egress = route.nextHop.interface
        guard networks[egress] == (ipv6 ? .ipv6 : .ipv4) || networks[egress] == .hostIP else { return dropIP(packet, .noRoute) }
        let alive = packet.withUnsafeMutableBytes { bytes -> Bool in
            let field = ipv6 ? 7 : 8
            guard bytes[field] > 1 else { return false }
            bytes[field] -= 1
            if !ipv6 { IPv4Header.refreshChecksum(in: bytes) }
            return true
        }
        guard alive else { return dropIP(packet, .ttlExpired) }
        switch ipQueues[egress].enqueue(consume packet, now: now) {
        case .accepted: return .queued(egress: egress)
        case .dropped(let reason, let refused): return .dropped(reason, refused)
        }
    }

    private func dropIP(_ packet: consuming PacketBuffer, _ reason: DropReason) -> Arrival {
        ipDrops.record(reason)
        return .dropped(reason, packet)
    }

    private func fail(_ failure: TranslationFailure, _ packet: consuming PacketBuffer) -> Arrival {
        translations.record(failure)
        return .dropped(failure.dropReason, packet)
    }
}

/// Why a path-constrained packet cannot go on.
private struct PathConstraintRefusal: Error {
    var reason: DropReason
}

/// What a node answered for itself.
public struct AnswerCounters: Hashable, Sendable {
    public var echoReplies = 0
    public var hopLimitExceeded = 0
    /// Signed refusal notices to sources a first hop refused.
    public var refusalNotices = 0
    /// Answers not sent: too many waiting, or too large for a buffer.
    public var suppressed = 0

    public init() {}
}

/// What an interface of a node carries.
public enum InterfaceNetwork: Hashable, Sendable {
    /// New IP in the node's dialect.
    case newIP
    case ipv4
    case ipv6
    /// IPv4 and IPv6 through the host's own stack (a real gateway's TUN device).
    case hostIP

    public init(_ network: Topology.Network) {
        switch network {
        case .newIP: self = .newIP
        case .ipv4: self = .ipv4
        case .ipv6: self = .ipv6
        }
    }

    public var isIP: Bool { self != .newIP }
}
