import NewIPDataPlane
import NewIPFiles
import NewIPNode
import NewIPRandom
import NewIPSecurity
import NewIPTopology
import NewIPWire

/// The discrete-event engine of one partition (`Partitioning`): virtual time jumps from event
/// to event, in `EventKey` order, until the end it is given. It runs its nodes: their devices,
/// behaviours and flows, and the link directions they send on, and keeps their measurements
/// (`PartitionedRun` merges the partitions'). A run with one partition is the whole run.
final class Simulator {
    let topology: Topology
    let events: EventQueue
    private(set) var now: Nanoseconds = 0
    /// Every link direction of the run, shared by the partitions: each touches only the halves it owns.
    let links: [EmulatedLink]
    /// `links` unretained, for the event loop: `links` keeps them alive as long as the
    /// simulator, and a link taken out of `links` for an event was retained and released.
    private let linkReferences: [Unmanaged<EmulatedLink>]
    /// Per node, per interface: the emulated port, and the device stack the node uses (none
    /// for the other partitions' nodes).
    private var ports: [[LinkPort]] = []
    private var devices: [[any NetworkDevice]] = []
    /// Per node, per interface: whether the device is the port itself (no capture, no fault
    /// injection), so an arrival goes straight to the node. A flag, not a comparison of the
    /// two: taking them out of their arrays retains and releases each.
    private var bare: [[Bool]] = []
    private(set) var captures: [(node: Int, name: String, device: CaptureDevice)] = []
    private(set) var faults: [(link: Int, device: FaultInjector)] = []
    let behaviours: [any NodeBehavior]
    private var sources: [TrafficSource]
    private let templates: [PacketTemplate]
    private var pool: PacketPool
    private(set) var flowStatistics: [FlowStatistics]
    private(set) var nodeStatistics: [NodeStatistics]
    private var pendingWakes: [Topology.InterfaceID] = []
    private var wakeTimes: [[Nanoseconds?]]
    /// Plain IP interfaces or gateways: packets are inspected for IP + UDP too, and header
    /// bytes are counted.
    let isManyNets: Bool
    /// Domains: who seals, the first hops, the revocations (`nil` without `domains`).
    let governance: Governance?
    /// The sealing hosts' senders (their timestamps move on as they send).
    private var senders: [SourceAuthSender]
    /// What the run saw of each of `governance.revocations`.
    private(set) var revocationRecords: [RevocationRecord]
    /// Per flow, the revocations of the address its packets carry as their source.
    private var flowRevocations: [[Int]] = []
    /// Per domain, the policies its borders had in force and finished: when each started and
    /// what its rules decided (summed over the borders); the current one is read at the end.
    private(set) var policyPeriods: [[(from: Nanoseconds, counters: BorderPolicy.Counters)]] = []
    /// Per domain, when the policy in force started.
    private(set) var policyStart: [Nanoseconds] = []
    /// What each flow's packets showed each node they reached (`nil` without domains).
    private(set) var observations: ExposureObservations?
    /// The routing protocol's driver (`routing: dynamic`); `nil` otherwise.
    private(set) var routing: DynamicRouting?
    /// Neighbour discovery's driver (`neighbours:`); `nil` otherwise.
    private(set) var neighbours: NeighbourDiscoveryDriver?
    private let schedules: FaultSchedules
    /// Per node: whether it is crashed now (`faults: {crash: …}`).
    private var crashed: [Bool]

    /// The nodes this partition runs (`owner[node] == partition`).
    private let owner: [Int]
    let partition: Int

    /// `templates` holds one header per flow, `behaviours` one behaviour per node; captures
    /// stream into `captureFolder` as `capture-<node>-<interface>.pcapng` when it is given.
    /// The partition runs the nodes `owner` gives it, with `events`, on `links` (made with the
    /// queues of their senders' partitions).
    init(topology: Topology, behaviours: [any NodeBehavior], templates: [PacketTemplate], governance: Governance?,
         captureFolder: String?, links: [EmulatedLink], events: EventQueue, schedules: FaultSchedules,
         owner: [Int], partition: Int) throws(FileProblem) {
        self.topology = topology
        self.owner = owner
        self.partition = partition
        self.events = events
        self.links = links
        linkReferences = links.map(Unmanaged.passUnretained)
        self.schedules = schedules
        self.behaviours = behaviours
        self.templates = templates
        self.governance = governance
        senders = governance?.senders ?? []
        revocationRecords = Array(repeating: RevocationRecord(), count: governance?.revocations.count ?? 0)
        if let governance {
            flowRevocations = topology.flows.enumerated().map { index, flow in
                let address = governance.origins[index].claimed ?? topology.interface(flow.source).address
                return governance.revocations.indices.filter { governance.revocations[$0].address == address }
            }
        }
        if let governance {
            policyPeriods = Array(repeating: [], count: governance.domains.count)
            policyStart = Array(repeating: 0, count: governance.domains.count)
            observations = ExposureObservations(flows: topology.flows.count, nodes: topology.nodes.count)
        }
        isManyNets = topology.isManyNets
        if topology.routing == .dynamic { routing = DynamicRouting(topology: topology, links: links) }
        if topology.neighbours != nil { neighbours = NeighbourDiscoveryDriver(nodes: topology.nodes.count) }
        crashed = Array(repeating: false, count: topology.nodes.count)
        sources = topology.flows.map { TrafficSource(flow: $0, seed: topology.seed) }
        pool = PacketPool(largestPacket: max(topology.flows.map(\.size.largest).max() ?? 0,
                                             topology.neighbours == nil ? 0 : NeighbourDiscoveryDriver.largestPacket))
        flowStatistics = topology.flows.map { FlowStatistics(window: $0.judgedWindow) }
        nodeStatistics = Array(repeating: NodeStatistics(), count: topology.nodes.count)
        wakeTimes = topology.nodes.map { Array(repeating: nil, count: $0.interfaces.count) }
        // The devices report drops to `self`, so they are made once everything else is set.
        (ports, devices, bare, captures, faults) = try makeDevices(captureFolder: captureFolder)
    }

    /// Ports on every interface, wrapped in fault injection (the link's faults, on receive)
    /// and capture (outermost, so it records what the node sends and sees).
    private func makeDevices(captureFolder: String?) throws(FileProblem)
        -> ([[LinkPort]], [[any NetworkDevice]], [[Bool]], [(Int, String, CaptureDevice)], [(Int, FaultInjector)]) {
        var ports = topology.nodes.map { _ in [LinkPort]() }
        var devices = topology.nodes.map { _ in [any NetworkDevice]() }
        var bare = topology.nodes.map { _ in [Bool]() }
        var captures: [(Int, String, CaptureDevice)] = []
        var faults: [(Int, FaultInjector)] = []
        let outgoingLinks = Dictionary(uniqueKeysWithValues: links.map { ($0.from, $0) })
        let incomingLinks = Dictionary(uniqueKeysWithValues: links.map { ($0.to, $0) })
        for (nodeIndex, node) in topology.nodes.enumerated() where owner[nodeIndex] == partition {
            for interfaceIndex in node.interfaces.indices {
                let id = Topology.InterfaceID(node: nodeIndex, interface: interfaceIndex)
                let outgoing = outgoingLinks[id]!
                let port = LinkPort(outgoing: outgoing) { [unowned self] packet, reason, _ in
                    discard(packet, reason, link: outgoing.index)
                }
                ports[nodeIndex].append(port)
                var device: any NetworkDevice = port
                let incoming = incomingLinks[id]!
                let spec = topology.links[incoming.index / 2]
                if spec.faults.isActive {
                    let name = "fault/\(topology.name(of: incoming.from))>\(topology.name(of: id))"
                    let random = RandomStream(seed: topology.seed, name: name)
                    let injector = FaultInjector(device, drop: spec.faults.drop, corrupt: spec.faults.corrupt, random: random) {
                        [unowned self] packet, reason, _ in discard(packet, reason, arrivingOn: incoming.index)
                    }
                    faults.append((incoming.index, injector))
                    device = injector
                }
                if node.interfaces[interfaceIndex].capture {
                    let name = "\(node.name)-\(node.interfaces[interfaceIndex].name)"
                    let path = captureFolder.map { "\($0)/\(EmulationResults.captureFileName(name))" }
                    let capture = topology.network(of: id).isIP
                        ? try CaptureDevice(device, linkType: .raw, name: topology.name(of: id), path: path)
                        : try CaptureDevice(device, dialect: topology.dialect, name: topology.name(of: id), path: path)
                    captures.append((nodeIndex, name, capture))
                    device = capture
                }
                devices[nodeIndex].append(device)
                bare[nodeIndex].append(device === port)
            }
        }
        return (ports, devices, bare, captures, faults)
    }

    /// Events processed by `run`, for events-per-second figures.
    private(set) var eventCount = 0

    /// Schedules what the domains and the drivers that share state across nodes (routing,
    /// neighbour discovery) do first; only a run of one partition has them.
    func startDrivers() {
        // Before the flows: at a tie a first hop learns the revocation before the packet arrives.
        for (index, revocation) in (governance?.revocations ?? []).enumerated() where revocation.enforced < topology.duration {
            events.schedule(.revoke(index), at: revocation.enforced)
        }
        for (index, change) in (governance?.policyChanges ?? []).enumerated() where change.at < topology.duration {
            events.schedule(.policyChange(index), at: change.at)
        }
        routing?.start(self)
        neighbours?.start(self)
    }

    /// When flow `index` sends first (`nil`: never).
    func firstSendTime(of flow: Int) -> Nanoseconds? { sources[flow].nextSendTime }

    /// Runs every event before `end`; `progress` hears the virtual time reached every 65,536 events.
    func run(before end: Nanoseconds, progress: ((Nanoseconds) -> Void)? = nil) {
        while let (time, event) = events.next(before: end) {
            now = time
            eventCount &+= 1
            if eventCount & 0xFFFF == 0 { progress?(now) }
            events.handle(as: handler(of: event), at: now)
            switch event {
            case .send(let flow): send(flow)
            case .revoke(let index): revoke(index)
            case .policyChange(let index): changePolicy(index)
            case .routing(let node): routing!.run(node: node, simulator: self)
            case .neighbours(let node): neighbours!.run(node: node, simulator: self)
            case .scheduledChange(let index): apply(schedules.changes[index].change)
            case .transmitted(let link): linkReferences[link]._withUnsafeGuaranteedRef { transmitted($0) }
            case .arrived(let link): linkReferences[link]._withUnsafeGuaranteedRef { arrived($0) }
            case .wake(let node, let interface):
                let id = Topology.InterfaceID(node: node, interface: interface)
                if wakeTimes[node][interface] == now { wakeTimes[node][interface] = nil }
                service(id)
            }
            serviceWokenInterfaces()
        }
    }

    /// The run stopped at `end`: the queues' time-weighted depths are brought up to it on the
    /// links this partition sends on.
    func finish(at end: Nanoseconds) {
        now = end
        for link in links where owner[link.from.node] == partition {
            link.statistics.queue(behaviours[link.from.node].queue(on: link.from.interface).packets, now: now)
        }
    }

    /// The node whose handler runs `event` (`nil`: the domains' checkpoints and borders, run
    /// as the setup): the events it schedules are its own.
    private func handler(of event: SimulationEvent) -> Int? {
        switch event {
        case .send(let flow): topology.flows[flow].source.node
        case .transmitted(let link): linkReferences[link]._withUnsafeGuaranteedRef { $0.from.node }
        case .arrived(let link): linkReferences[link]._withUnsafeGuaranteedRef { $0.to.node }
        case .wake(let node, _), .routing(let node), .neighbours(let node): node
        case .scheduledChange(let index):
            schedules.changes[index].change.node(in: topology)
        case .revoke, .policyChange: nil
        }
    }

    private func context(_ node: Int) -> NodeContext { NodeContext(now: now, node: node, simulator: self) }

    private func send(_ flow: Int) {
        let node = topology.flows[flow].source.node
        let size = sources[flow].nextSize()
        var packet = pool.take(forPacket: size)
        templates[flow].write(into: &packet, size: size, probe: Probe(flow: flow, sequence: sources[flow].sequence, sentAt: now))
        if let governance, let sender = governance.sealing[flow] { seal(&packet, sender: sender) }
        flowStatistics[flow].sent(bytes: size, header: templates[flow].header.count)
        nodeStatistics[node].originated += 1
        if crashed[node] {
            nodeDown(packet, at: node)
        } else {
            behaviours[node].send(consume packet, from: topology.flows[flow].source.interface, context: context(node))
        }
        // The next send is scheduled after the link took this packet, so at a tie the link
        // finishes before the flow's next packet arrives at the queue.
        serviceWokenInterfaces()
        sources[flow].advance(sent: size)
        if let next = sources[flow].nextSendTime { events.schedule(.send(flow: flow), at: next) }
    }

    private func transmitted(_ link: EmulatedLink) {
        // A node that crashed while serialising a packet cut it short.
        let cut = schedules.hasCrashes && schedules.crashed(link.from.node, during: link.busySince...now)
        if let lost = link.finishTransmission(now: now, cut: cut) {
            if cut { nodeDown(lost, at: link.from.node) } else { discard(lost, .linkLoss, link: link.index) }
        }
        service(link.from)
    }

    private func arrived(_ link: EmulatedLink) {
        if schedules.hasDownPeriods, schedules.wasDown(link.index / 2, during: link.oldestDeparture...now) {
            discard(link.arrive(), .linkLoss, arrivingOn: link.index)
            return
        }
        let to = link.to
        if crashed[to.node] {
            nodeDown(link.arrive(), at: to.node)
            return
        }
        // A port that nothing wraps would hand the packet straight back: it skips the port's ring.
        guard !bare[to.node][to.interface] else {
            receive(link.arrive(), on: to)
            return
        }
        ports[to.node][to.interface].arrived(link.arrive())
        let device = devices[to.node][to.interface]
        while let packet = device.receive(now: now) { receive(packet, on: to) }
    }

    /// The node takes a packet its interface `to` received.
    private func receive(_ packet: consuming PacketBuffer, on to: Topology.InterfaceID) {
        nodeStatistics[to.node].received += 1
        if observations != nil { observe(packet, at: to.node, interface: to.interface) }
        behaviours[to.node].receive(consume packet, on: to.interface, context: context(to.node))
    }

    /// A scheduled change: a link's (both directions, links `2i` and `2i + 1`, and the routing at
    /// both ends) or a node's crash or restart.
    private func apply(_ change: FaultSchedules.Change) {
        switch change {
        case .down(let link): routing?.carrier(of: topology.links[link], up: false, simulator: self)
        case .up(let link): routing?.carrier(of: topology.links[link], up: true, simulator: self)
        case .crash(let node): crash(node)
        case .restart(let node):
            crashed[node] = false
            routing?.restart(node, simulator: self)
            neighbours?.restart(node, simulator: self)
        }
    }

    /// `node` crashes: what waits in its queues is lost with it, and so is whatever reaches it
    /// until it restarts. Its links stay up: neighbours notice only that it falls silent.
    private func crash(_ node: Int) {
        crashed[node] = true
        if let core = (behaviours[node] as? CoreNode)?.core {
            for interface in topology.nodes[node].interfaces.indices {
                // Packets held back (latency-based forwarding) are taken at their time, all now.
                while let time = core.nextTransmitTime(on: interface) {
                    let before = core.queuedPackets(on: interface)
                    while let packet = core.transmit(on: interface, now: max(now, time), discarded: { packet, _ in nodeDown(packet, at: node) }) {
                        nodeDown(packet, at: node)
                    }
                    if core.queuedPackets(on: interface) >= before { break }
                }
                ports[node][interface].outgoing.statistics.queue(0, now: now)
            }
        }
        routing?.crash(node, simulator: self)
        neighbours?.crash(node)
    }

    /// A packet lost in, or at, a crashed node.
    private func nodeDown(_ packet: PacketBuffer, at node: Int) {
        nodeStatistics[node].drops.record(.nodeDown)
        discard(packet, .nodeDown, node: node)
    }

    /// Feeds the interface's device from the node's queue while the device is free, then
    /// asks to be woken when a held-back packet becomes eligible.
    private func service(_ id: Topology.InterfaceID) {
        let device = devices[id.node][id.interface]
        let behaviour = behaviours[id.node]
        while device.canTransmit(now: now), let packet = behaviour.nextPacket(on: id.interface, context: context(id.node)) {
            nodeStatistics[id.node].transmitted += 1
            if packet.metadata.ingress >= 0 { nodeStatistics[id.node].forwarded += 1 }
            device.transmit(consume packet, now: now)
        }
        // Asked before the link is reached: a call out while its statistics are being written
        // made the service retain and release the link around it.
        let queued = behaviour.queuedPackets(on: id.interface)
        ports[id.node][id.interface].outgoing.statistics.queue(queued, now: now)
        ports[id.node][id.interface].outgoing.statistics.sampleDepth(behaviour, interface: id.interface, now: now)
        guard device.canTransmit(now: now), let time = behaviour.nextTransmitTime(on: id.interface), time > now else { return }
        if let pending = wakeTimes[id.node][id.interface], pending <= time { return }
        wakeTimes[id.node][id.interface] = time
        events.schedule(.wake(node: id.node, interface: id.interface), at: time)
    }

    /// Interfaces behaviours queued packets on during this event.
    func wake(_ id: Topology.InterfaceID) { pendingWakes.append(id) }

    private func serviceWokenInterfaces() {
        var index = 0
        while index < pendingWakes.count {
            service(pendingWakes[index])
            index += 1
        }
        pendingWakes.removeAll(keepingCapacity: true)
    }

    /// The sending host fills in the authenticator: its epoch, a fresh timestamp, the MAC.
    private func seal(_ packet: inout PacketBuffer, sender: Int) {
        let dialect = topology.dialect
        let clock = Governance.epochOffset &+ UInt64(now)
        governance?.renew(&senders[sender], index: sender, clock: clock)
        packet.withUnsafeMutableBytes { bytes in
            do throws(NewIPPacketError) {
                try senders[sender].seal(bytes, dialect: dialect, now: clock)
            } catch {
                preconditionFailure("a flow packet built with an authenticator does not seal: \(error)")
            }
        }
    }

    /// A checkpoint brings revocation `index` to every first hop of its domain.
    private func revoke(_ index: Int) {
        guard let governance else { return }
        let revocation = governance.revocations[index]
        for hop in governance.domains[revocation.domain].plan.firstHops {
            _ = behaviours[hop.node].revoke(revocation.address)
        }
    }

    /// A domain's borders put a new policy in force; what the old one decided is kept.
    private func changePolicy(_ index: Int) {
        guard let governance else { return }
        let change = governance.policyChanges[index]
        var total: BorderPolicy.Counters?
        for node in governance.domains[change.domain].plan.border {
            guard let counters = behaviours[node].replacePolicyRules(change.rules) else { continue }
            total = total.map { Self.sum($0, counters) } ?? counters
        }
        let rules = governance.domains[change.domain].spec.policyRules(before: change.at)
        policyPeriods[change.domain].append((policyStart[change.domain], total ?? BorderPolicy.Counters(rules: rules.count)))
        policyStart[change.domain] = now
    }

    /// What a domain's borders' current rules decided so far, summed.
    func currentPolicyCounters(domain: Int) -> BorderPolicy.Counters? {
        guard let governance else { return nil }
        var total: BorderPolicy.Counters?
        for node in governance.domains[domain].plan.border {
            guard let counters = behaviours[node].policyCounters else { continue }
            total = total.map { Self.sum($0, counters) } ?? counters
        }
        return total
    }

    private static func sum(_ a: BorderPolicy.Counters, _ b: BorderPolicy.Counters) -> BorderPolicy.Counters {
        var total = a
        for index in total.matches.indices where index < b.matches.count { total.matches[index] += b.matches[index] }
        total.defaultPermits += b.defaultPermits
        return total
    }

    /// A packet reached the node it is addressed to.
    func deliver(_ packet: PacketBuffer, at node: Int) {
        if let routing, routing.receive(packet, at: node, simulator: self) {
            pool.recycle(packet)
            return
        }
        nodeStatistics[node].delivered += 1
        if let finding = inspect(packet), topology.flows[finding.probe.flow].destination.node == node {
            if governance != nil {
                for index in flowRevocations[finding.probe.flow]
                where finding.probe.sentAt >= governance!.revocations[index].scheduled {
                    revocationRecords[index].deliveredAfterScheduled += 1
                }
            }
            // A gLBF path ends in the destination's damper: the packet is delivered when that
            // releases it, after the hold the last hop recorded (0 after any other queue).
            let released = now + packet.metadata.damperHold
            flowStatistics[finding.probe.flow].delivered(latency: released - finding.probe.sentAt, bytes: packet.count,
                                                         header: finding.headerLength, trimmed: finding.trimmed, at: released)
            if let spec = finding.payloadSpec {
                packet.withUnsafeBytes { flowStatistics[finding.probe.flow].deliveredChunks(UnsafeRawBufferPointer(rebasing: $0[spec])) }
            }
        }
        pool.recycle(packet)
    }

    /// Neighbour discovery on `node` took a packet: recorded there, and its buffer reused.
    func neighbourDiscoveryTook(_ packet: PacketBuffer, at node: Int) {
        neighbours?.settle(node, self)
        pool.recycle(packet)
    }

    /// An empty buffer for a packet a node makes itself.
    func newPacket() -> PacketBuffer { pool.take() }

    /// A packet was dropped: charged to its flow, and to the link when the medium lost it
    /// (`link` as its sender saw it, `arrivingOn` on its receiving side).
    func discard(_ packet: PacketBuffer, _ reason: DropReason, link: Int? = nil, arrivingOn: Int? = nil, node: Int? = nil) {
        if let link { links[link].statistics.losses.record(reason) }
        if let arrivingOn { links[arrivingOn].receiveLosses.record(reason) }
        if reason == .revoked, let governance { recordRevokedDrop(packet, governance) }
        if let finding = inspect(packet) {
            flowStatistics[finding.probe.flow].dropped(reason)
            if let node, observations != nil { observations!.refused(flow: finding.probe.flow, node: node, reason: reason.label) }
        }
        pool.recycle(packet)
    }

    /// Records what a flow packet showed the node it reached (for the exposure report).
    private func observe(_ packet: PacketBuffer, at node: Int, interface: Int) {
        guard let finding = inspect(packet) else { return }
        let dialect = topology.dialect
        let seen = packet.withUnsafeBytes { bytes -> ExposureObservations.Seen? in
            guard let view = try? NewIPPacketView(bytes, dialect: dialect) else { return nil }
            var authenticator: [UInt8]?
            if let range = try? SourceAuthenticatorItem.locate(in: view),
               let item = try? SourceAuthenticatorItem(parsingBody: UnsafeRawBufferPointer(rebasing: bytes[range])) {
                authenticator = item.keyProof?.publicKey ?? []
            }
            return ExposureObservations.Seen(source: view.source, authenticated: authenticator != nil, key: authenticator.flatMap { $0.isEmpty ? nil : $0 },
                                             payloadBytes: view.payloadRange.count)
        }
        guard let seen else { return }
        observations!.record(seen, flow: finding.probe.flow, node: node, interface: interface)
    }

    /// The packet's probe, if it belongs to one of this run's flows.
    func inspect(_ packet: PacketBuffer) -> PacketInspector.Finding? {
        guard let finding = PacketInspector.inspect(packet, dialect: topology.dialect, ip: isManyNets),
              finding.probe.flow < topology.flows.count else { return nil }
        return finding
    }

    /// A first hop refused a packet as revoked: the first such drop of its source is the
    /// revocation's measured enforcement.
    private func recordRevokedDrop(_ packet: PacketBuffer, _ governance: Governance) {
        let dialect = topology.dialect
        let source = packet.withUnsafeBytes { bytes in (try? NewIPPacketView(bytes, dialect: dialect))?.source }
        guard let source else { return }
        for (index, revocation) in governance.revocations.enumerated() where revocation.address == source && now >= revocation.enforced {
            if revocationRecords[index].firstDrop == nil { revocationRecords[index].firstDrop = now }
            revocationRecords[index].revokedDrops += 1
        }
    }
}
