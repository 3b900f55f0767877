import Foundation
import Logging
import NIOCore
import NIOPosix
import NewIPControl
import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire

/// Counters of one interface (or of the application port, the last entry).
struct InterfaceCounters {
    var rxPackets = 0
    var rxBytes = 0
    var txPackets = 0
    var txBytes = 0
    /// Drops decided on arrival here.
    var drops = DropCounters()
    /// Latency-based packets that left this interface's queue within their window.
    var lbfOnTime = 0
    /// Packets for this node that arrived here.
    var delivered = 0
    /// Times an Ethernet device lost or regained its carrier (CarrierWatch.swift).
    var carrierChanges = 0
}

/// At most one log line per interval for a repeated problem, with the count since the last.
struct RateLimitedLog {
    var suppressed = 0
    var last: Nanoseconds = .min

    /// Whether to log now; `count` is how many happened since the last line (this one included).
    mutating func shouldLog(now: Nanoseconds, interval: Nanoseconds) -> Int? {
        suppressed += 1
        guard last == .min || now - last >= interval else { return nil }
        defer { suppressed = 0; last = now }
        return suppressed
    }
}

/// A New IP node: the data plane on SwiftNIO sockets and the monotonic clock.
///
/// Everything runs on one event loop (one thread): the interfaces' channels, the application
/// port, the control endpoint and the LBF timers, so the data plane needs no locks. Packets
/// read in one batch are forwarded into the egress queues, and each queue is drained at the
/// end of the batch, its writes flushed together (one `sendmmsg`).
public final class Node: @unchecked Sendable {
    public let config: NodeConfig
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let loop: EventLoop
    var dataPlane: NodeDataPlane
    var ports: [LinkPort] = []
    var counters: [InterfaceCounters]
    /// Drops of topology flows' packets, by the flow their probe names.
    var flowDrops: [Int: DropCounters] = [:]
    var malformedLog: [RateLimitedLog]
    var problemLog = RateLimitedLog()
    /// A gateway's translator (`nil` on hosts and routers), in the node core.
    var gateway: Gateway? { dataPlane.core.gateway }
    /// What the gateway translated, and what it could not.
    var translations: TranslationCounters { dataPlane.core.translations }
    /// The Prometheus registry `/metrics` renders (updated from `counters` at each scrape).
    let metrics: NodeMetrics
    /// Which interfaces are TUN devices (a gateway's IP side).
    let isTun: [Bool]
    /// Egress interfaces with packets queued since the last drain.
    private var pendingEgress: [Bool]
    private var anyPending = false
    /// Set on the loop once every interface has its port: until then nothing is drained (a
    /// packet read on the first interface may be queued on one still being opened).
    private var isOpen = false
    private var timers: [(deadline: Nanoseconds, task: Scheduled<Void>)?]
    /// Neighbour discovery's next timer (solicitations, expiries, hellos).
    private var neighbourTimer: (deadline: Nanoseconds, task: Scheduled<Void>)?
    /// Autoconfiguration decisions logged so far.
    private var neighbourEventsLogged = 0
    private var channels: [Channel] = []
    var controlChannel: Channel?
    var appChannel: Channel?
    var appBindings = PortBindings<SocketAddress>(lease: AppProtocol.lease)
    var captures: [CaptureSink] = []
    var captureChannel: Channel?
    let startTime: Nanoseconds
    /// Source authentication: a first hop's checks and revocations, or a host's sealing (NodeSecurity.swift).
    let security: NodeSecurityState
    private let stopped: EventLoopPromise<Void>
    private(set) var isStopping = false
    /// The routing protocol (`routing:`); `nil`: the table holds the file's routes only.
    var routing: RoutingDriver?
    /// Interfaces taken down through the control endpoint (`POST /interfaces/down`): nothing
    /// crosses them, as if their link were cut (LinkAdministration.swift).
    var downLinks: Set<Int> = []
    /// Ethernet interfaces whose device has no carrier (CarrierWatch.swift).
    var noCarrier: Set<Int> = []
    /// Whether Ethernet sockets ask the kernel for each frame's receive time (`SO_TIMESTAMPNS`);
    /// off (`nip node --loop-timestamps`), probes are timed when the loop reads them, for comparison.
    public var kernelReceiveTimestamps = true
    /// The kernel's receive time of the packet being handled, while `linkReceived` runs it
    /// (`nil`: the socket gives none); the routing protocol measures link delay with it.
    var kernelReceiveTime: Nanoseconds?
    /// Extra numbers for `/status` (the CLI adds heap allocation counts when asked to).
    public var statusExtras: (@Sendable () -> [String: Int])?
    /// Interface index of the application port (one past the last interface).
    var appIndex: Int { config.interfaces.count }

    /// The control endpoint's bound address (its port when the config said 0).
    public internal(set) var controlAddress: SocketAddress?
    public internal(set) var appAddress: SocketAddress?

    public init(config: NodeConfig, logger: Logger? = nil) {
        self.config = config
        var logger = logger ?? Logger(label: "newip.node")
        logger[metadataKey: "node"] = "\(config.name)"
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        security = NodeSecurityState(config: config, now: Self.now())
        dataPlane = NodeDataPlane(config: config, sourceAuthentication: security.authentication, borderPolicy: security.borderPolicy,
                                  selfCertifyingKey: security.selfCertifyingKey, certifiedAddress: security.enrolment?.address)
        isTun = config.interfaces.map(\.link.isTun)
        metrics = NodeMetrics(node: config.name)
        counters = Array(repeating: InterfaceCounters(), count: config.interfaces.count + 1)
        malformedLog = Array(repeating: RateLimitedLog(), count: config.interfaces.count + 1)
        pendingEgress = Array(repeating: false, count: config.interfaces.count)
        timers = Array(repeating: nil, count: config.interfaces.count)
        startTime = Self.now()
        stopped = loop.makePromise()
    }

    /// The monotonic clock, in the nanoseconds the data plane takes.
    @inline(__always)
    static func now() -> Nanoseconds { Nanoseconds(truncatingIfNeeded: NIODeadline.now().uptimeNanoseconds) }

    // MARK: Life cycle

    /// Opens every socket; returns when the node is forwarding. Not on the node's own loop.
    public func start() throws {
        do {
            // Inside: a node that cannot start still stops its loop (and keeps its promise).
            if let problem = security.loadError { throw ToolError(problem) }
            if let settings = config.routing { routing = try RoutingDriver(config: config, routing: settings, now: Self.now()) }
            for (index, interface) in config.interfaces.enumerated() {
                switch interface.link {
                case .udp(let local, let peer):
                    try startUDP(index: index, local: local, peer: peer)
                case .ethernet(let device, let peer, let namespace):
                    try startEthernet(index: index, device: device, peer: peer, namespace: namespace)
                case .tun(let device, let namespace, let routes, let mtu):
                    ports.append(try TunLinkPort(node: self, index: index, device: device, address: interface.address,
                                                 routes: routes, mtu: mtu, namespace: namespace))
                }
            }
            // Packets read while later interfaces were still opening wait in their queues until now.
            loop.execute { [self] in
                isOpen = true
                endOfReadBatch()
            }
            if let app = config.app { try startAppPort(app) }
            try startCaptureChannel()
            try startControl()
            let bindingSweep = loop.scheduleRepeatedTask(initialDelay: .seconds(5), delay: .seconds(5)) { [self] _ in
                sweepBindings()
            }
            stopped.futureResult.whenComplete { [security] _ in
                bindingSweep.cancel()
                security.stopPolling()
            }
            startSecurity()
            if dataPlane.core.neighbourDiscovery != nil { loop.execute { [self] in armNeighbourTimer() } }
            if routing != nil { startRouting() }
            loop.execute { [self] in startCarrierWatch() }
        } catch {
            stop()
            try? waitUntilStopped()
            throw error
        }
        logger.info("node up", metadata: ["control": "\(controlAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "-")",
                                          "interfaces": "\(config.interfaces.map(\.name).joined(separator: ","))",
                                          "role": "\(config.role.rawValue)"])
    }

    private func startUDP(index: Int, local: NodeConfig.Endpoint, peer: NodeConfig.Endpoint) throws {
        let peerAddress = try SocketAddress.literalOrResolved(peer)
        let limit = config.interfaces[index].queue.limits.packets ?? 1024
        let port = UDPLinkPort(peer: peerAddress, ringSize: max(2048, limit + 1024))
        let interface = config.interfaces[index]
        if interface.emulateLink {
            port.emulation = LinkEmulation(rate: interface.rate, delay: interface.delay, loss: interface.loss,
                                           seed: LinkEmulation.seed(node: config.name, interface: interface.name))
            port.onFree = { [unowned self] in linkBecameWritable(index) }
            port.onLoss = { [unowned self] bytes in
                counters[index].drops.record(.linkLoss)
                attributeToFlow(bytes, .linkLoss)
            }
        }
        let batch = config.readBatch
        let bootstrap = DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            .channelOption(.datagramVectorReadMessageCount, value: batch)
            .channelOption(.maxMessagesPerRead, value: 4)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: batch * 2048))
            .channelOption(.writeBufferWaterMark, value: .init(low: 256 << 10, high: 1 << 20))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPLinkHandler(node: self, index: index, port: port))
                }
            }
        let channel = try bind("interface \(config.interfaces[index].name) (UDP link)", local) { try bootstrap.bind(to: $0).wait() }
        channels.append(channel)
        ports.append(port)
    }

    private func startEthernet(index: Int, device: String, peer: EthernetAddress?, namespace: String?) throws {
        let port = try EthernetLinkPort(node: self, index: index, device: device, peer: peer, dialect: config.dialect,
                                        namespace: namespace)
        ports.append(port)
    }

    /// Stops every socket and the loop. Safe from any thread, more than once.
    public func stop() {
        loop.execute { [self] in
            guard !isStopping else { return }
            isStopping = true
            logger.info("node stopping")
            for timer in timers { timer?.task.cancel() }
            routing?.timer?.task.cancel()
            var closing: [EventLoopFuture<Void>] = []
            for channel in channels + [controlChannel, appChannel, captureChannel].compactMap({ $0 }) {
                closing.append(channel.close().recover { _ in })
            }
            for port in ports { port.close() }
            EventLoopFuture.andAllComplete(closing, on: loop).whenComplete { [self] _ in stopped.succeed(()) }
        }
    }

    /// Blocks until `stop` has closed everything, then shuts the loop down.
    public func waitUntilStopped() throws {
        try stopped.futureResult.wait()
        for port in ports { port.waitUntilClosed() }
        try group.syncShutdownGracefully()
    }

    // MARK: Receiving

    /// A packet from a link; `receivedAt`: the kernel's receive time, when the socket gives it.
    func linkReceived(_ index: Int, _ bytes: UnsafeRawBufferPointer, receivedAt: Nanoseconds? = nil) {
        counters[index].rxPackets &+= 1
        counters[index].rxBytes &+= bytes.count
        if !downLinks.isEmpty, downLinks.contains(index) { return linkCut(index, bytes) }
        let now = Self.now()
        if !captures.isEmpty { capture(index, outgoing: false, bytes) }
        guard let buffer = dataPlane.buffer(copying: bytes) else {
            counters[index].drops.record(.badFrame)
            logProblem(index, "a \(bytes.count)-byte frame is larger than a packet buffer", now: now)
            return
        }
        kernelReceiveTime = receivedAt
        arrive(buffer, ingress: index, fromNetwork: true, now: now)
        kernelReceiveTime = nil
    }

    /// An IPv4 or IPv6 packet from a gateway's TUN device: the node core translates it (the
    /// interface is the host's stack to it). Multicast and broadcast, which the kernel sends
    /// into every device, are dropped here.
    func tunReceived(_ index: Int, _ bytes: UnsafeRawBufferPointer) {
        counters[index].rxPackets &+= 1
        counters[index].rxBytes &+= bytes.count
        let now = Self.now()
        if !captures.isEmpty { capture(index, outgoing: false, bytes) }
        if Self.isMulticast(bytes) {
            counters[index].drops.record(.multicast)
            return
        }
        guard let buffer = dataPlane.buffer(copying: bytes) else {
            counters[index].drops.record(.badFrame)
            return
        }
        arrive(buffer, ingress: index, fromNetwork: true, now: now)
    }

    /// An IPv6 packet to ff00::/8 or an IPv4 one to 224.0.0.0/4 or above (multicast, broadcast).
    private static func isMulticast(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        switch first >> 4 {
        case 6: return bytes.count > 24 && bytes[24] == 0xFF
        case 4: return bytes.count > 16 && bytes[16] >= 224
        default: return false
        }
    }

    func linkReceivedForeign(_ index: Int) {
        counters[index].drops.record(.badFrame)
        logProblem(index, "datagrams from a sender that is not the link's peer", now: Self.now())
    }

    func linkError(_ index: Int, _ error: Error) {
        logProblem(index, "socket error: \(error)", now: Self.now())
    }

    func linkBecameWritable(_ index: Int) {
        drain(index, now: Self.now())
        ports[index].flush()
    }

    /// Runs the data plane on a received or locally sent packet, then sends the answers the
    /// node core built for it.
    func arrive(_ buffer: consuming PacketBuffer, ingress: Int, fromNetwork: Bool, now: Nanoseconds) {
        handle(dataPlane.receive(buffer, ingress: ingress, fromNetwork: fromNetwork, now: now), ingress: ingress, now: now)
        dataPlane.poll(now: now) { handle($0, ingress: appIndex, now: now) }
        if dataPlane.core.neighbourDiscovery != nil { armNeighbourTimer() }
    }

    /// Logs what address autoconfiguration decided since the last call.
    private func logNeighbourEvents() {
        guard let discovery = dataPlane.core.neighbourDiscovery else { return }
        let decided = discovery.counters.addressesConfigured + discovery.counters.addressesRefused
        for event in discovery.events.suffix(min(decided - neighbourEventsLogged, discovery.events.count)) {
            switch event {
            case .configured(let interface, let address, let router):
                logger.notice("address configured", metadata: ["interface": "\(interfaceName(interface))", "address": "\(address)",
                                                               "router": "\(router)"])
            case .refused(let interface, let address, let reason):
                logger.warning("address refused", metadata: ["interface": "\(interfaceName(interface))",
                                                             "address": "\(address.map(String.init(describing:)) ?? "-")", "reason": "\(reason)"])
            }
        }
        neighbourEventsLogged = decided
    }

    /// Schedules a poll at neighbour discovery's next deadline, which sends what it owes.
    private func armNeighbourTimer() {
        guard let next = dataPlane.core.neighbourDeadline else { return }
        if let timer = neighbourTimer {
            if timer.deadline <= next { return }
            timer.task.cancel()
        }
        let task = loop.scheduleTask(deadline: .uptimeNanoseconds(UInt64(max(0, next)))) { [self] in
            neighbourTimer = nil
            let now = Self.now()
            dataPlane.poll(now: now) { handle($0, ingress: appIndex, now: now) }
            endOfReadBatch()
            logNeighbourEvents()
            armNeighbourTimer()
        }
        neighbourTimer = (next, task)
    }

    func handle(_ arrival: Arrival, ingress: Int, now: Nanoseconds) {
        switch arrival {
        case .queued(let egress):
            pendingEgress[egress] = true
            anyPending = true
        case .delivered(let packet, let destination):
            counters[ingress].delivered &+= 1
            if routing != nil, ingress < appIndex, destination == .application(LocalPort(kind: .udp, port: RoutingPacket.port)) {
                routingReceived(packet, on: ingress, now: now)
            } else if case .application(let port) = destination, !forwardToApplication(port, packet) {
                counters[appIndex].drops.record(.noListener)
            }
            dataPlane.recycle(packet)
        case .dropped(let reason, let packet):
            // Queue-full drops are counted by the egress queue, on the egress interface.
            if reason != .queueFull { counters[ingress].drops.record(reason) }
            attributeToFlow(packet, reason)
            if TranslationFailure.allCases.contains(where: { $0.dropReason == reason }) {
                logProblem(ingress, "a packet the gateway cannot translate (\(reason))", now: now)
            } else if RefusalNotice.Reason(reason) != nil {
                // The first hop refused the packet's source: logged (rate-limited), as the
                // registrar logs a refused enrolment.
                let source = packet.withUnsafeBytes { (try? NewIPPacketView($0, dialect: config.dialect))?.source?.description }
                logProblem(ingress, "refused a packet from \(source ?? "no source") at the first hop (\(reason))", now: now)
            } else if reason == .malformed {
                if let count = malformedLog[ingress].shouldLog(now: now, interval: config.logInterval) {
                    let detail = packet.withUnsafeBytes { Self.malformedDetail($0, dialect: config.dialect) }
                    logger.warning("malformed packets dropped", metadata: [
                        "interface": "\(interfaceName(ingress))", "count": "\(count)", "latest": "\(detail)"])
                }
            }
            dataPlane.recycle(packet)
        }
    }

    /// Called after each batch of reads: sends what the batch queued.
    func endOfReadBatch() {
        guard anyPending, isOpen else { return }
        anyPending = false
        let now = Self.now()
        for index in pendingEgress.indices where pendingEgress[index] {
            pendingEgress[index] = false
            drain(index, now: now)
            ports[index].flush()
        }
    }

    /// Sends every packet `index`'s queue lets go at `now`, then arms its timer for the next.
    func drain(_ index: Int, now: Nanoseconds) {
        guard isOpen else { return }
        let port = ports[index]
        while port.isWritable, let packet = dataPlane.transmit(on: index, now: now, dropped: { reason, packet in
            counters[index].drops.record(reason)
            attributeToFlow(packet, reason)
        }) {
            if !downLinks.isEmpty, downLinks.contains(index) {
                packet.withUnsafeBytes { linkCut(index, $0) }
                dataPlane.recycle(packet)
                continue
            }
            let onTime = packet.hasDeadline
            let sent = packet.withUnsafeBytes { bytes in
                if !captures.isEmpty { capture(index, outgoing: true, bytes) }
                return port.send(bytes)
            }
            if sent {
                counters[index].txPackets &+= 1
                counters[index].txBytes &+= packet.count
                if onTime { counters[index].lbfOnTime &+= 1 }
            }
            dataPlane.recycle(packet)
        }
        port.queueWaits(from: dataPlane.nextTransmitTime(on: index))
        armTimer(index, now: now)
    }

    /// LBF: schedules a drain at the queue's next eligible time.
    private func armTimer(_ index: Int, now: Nanoseconds) {
        guard let next = dataPlane.nextTransmitTime(on: index), next > now, ports[index].isWritable else { return }
        if let timer = timers[index] {
            if timer.deadline <= next { return }
            timer.task.cancel()
        }
        let task = loop.scheduleTask(deadline: .uptimeNanoseconds(UInt64(next))) { [self] in
            timers[index] = nil
            drain(index, now: Self.now())
            ports[index].flush()
        }
        timers[index] = (next, task)
    }

    /// Charges a drop to the topology flow whose probe the packet carries (`nip run` reads
    /// these, so a real run's flows show their drops by reason as emulated ones do).
    private func attributeToFlow(_ packet: borrowing PacketBuffer, _ reason: DropReason) {
        packet.withUnsafeBytes { attributeToFlow($0, reason) }
    }

    func attributeToFlow(_ bytes: UnsafeRawBufferPointer, _ reason: DropReason) {
        guard let view = try? NewIPPacketView(bytes, dialect: config.dialect),
              let probe = Probe(bytes, at: view.payloadRange.lowerBound) else { return }
        flowDrops[probe.flow, default: DropCounters()].record(reason)
    }

    // MARK: Logging

    func interfaceName(_ index: Int) -> String { index < config.interfaces.count ? config.interfaces[index].name : "app" }

    func logProblem(_ index: Int, _ problem: String, now: Nanoseconds) {
        guard let count = problemLog.shouldLog(now: now, interval: config.logInterval) else { return }
        logger.warning("\(problem)", metadata: ["interface": "\(interfaceName(index))", "count": "\(count)"])
    }

    static func malformedDetail(_ bytes: UnsafeRawBufferPointer, dialect: PacketDialect) -> String {
        do {
            switch dialect {
            case .compact: _ = try CompactHeaderView(bytes)
            case .framework: _ = try FrameworkHeaderView(bytes)
            }
            return "header valid, contract or payload spec refused"
        } catch {
            return "\(error)"
        }
    }

    // MARK: Observation (on the loop)

    /// Runs `body` on the node's loop and waits for its result.
    public func onLoop<T: Sendable>(_ body: @escaping @Sendable () -> T) throws -> T {
        try loop.submit(body).wait()
    }

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
