import Foundation
import NIOCore
import NewIPControl
import NewIPDataPlane
import NewIPJSON
import NewIPNode
import NewIPSecurity
import NewIPTopology
import NewIPWire

/// A real node's routing protocol (`routing:` in its node file): the `DelayVectorRouting` core
/// the emulator runs too, on the node's loop and its monotonic clock.
///
/// Its datagrams are packets to the neighbour's address, UDP port 6696 with hop limit 1 (the
/// emulator's, `NodeCore.routingPacket`), queued on the interface's egress queue without a
/// route lookup; the neighbour's core delivers them, and the node hands them here with the
/// time they arrived (the kernel's receive time on Ethernet, else when the node read them). The routes the core decides go into the node core's table, its measured
/// link delays into latency-based forwarding (`NodeCore.follow`), and the node polls it again
/// at `nextDeadline`.
final class RoutingDriver {
    var core: DelayVectorRouting
    /// Per interface index: its address and the neighbour's (`nil`: the protocol is off there).
    let ends: [(own: FrameworkAddress, peer: FrameworkAddress)?]
    /// Per interface: the link's rate when the node emulates it, so a datagram's receive time
    /// becomes its first bit's (as the emulator's link and a NIC's timestamp give it).
    let emulatedRates: [BitRate?]
    /// The file's static routes: a learned route that is lost gives its prefix back to them.
    let configured: [RoutePrefix: Route]
    /// When each learned route was installed or last changed.
    private(set) var changedAt: [RoutePrefix: Nanoseconds] = [:]
    var timer: (deadline: Nanoseconds, task: Scheduled<Void>)?
    /// When the table last changed.
    private(set) var lastChange: Nanoseconds?

    /// Reads the link keys (a key file must be private to the node's user) and builds the core.
    init(config: NodeConfig, routing: NodeConfig.Routing, now: Nanoseconds) throws {
        var interfaces = Array(repeating: DelayVectorRouting.Interface(enabled: false), count: config.interfaces.count)
        var ends: [(own: FrameworkAddress, peer: FrameworkAddress)?] = Array(repeating: nil, count: config.interfaces.count)
        for entry in routing.interfaces {
            guard let index = config.interfaces.firstIndex(where: { $0.name == entry.name }),
                  let own = config.interfaces[index].address else {
                throw ToolError("routing: interface `\(entry.name)` has no address of its own to send the protocol's packets from")
            }
            let key: [UInt8]?
            switch entry.key {
            case nil: key = nil
            case .bytes(let bytes)?: key = bytes
            case .file(let path)?:
                let text: String
                do { text = try PrivateFile.read(path, what: "routing key").trimmingCharacters(in: .whitespacesAndNewlines) } catch {
                    throw ToolError("routing: \(error)")
                }
                guard let bytes = NodeConfig.Routing.keyBytes(hex: text), bytes.count >= NodeConfig.Routing.minimumKeyBytes else {
                    throw ToolError("routing: \(path): holds no key (one line of at least 32 hex digits; `openssl rand -hex 32` makes one)")
                }
                key = bytes
            }
            interfaces[index] = DelayVectorRouting.Interface(enabled: true, key: key.map(LinkKey.init))
            ends[index] = (own, entry.neighbour)
        }
        var configuration = DelayVectorRouting.Configuration(
            routerID: routing.routerID, interfaces: interfaces,
            prefixes: DelayVectorRouting.originated(block: routing.prefix, addresses: config.localAddresses), forwards: config.role != .host)
        if let hello = routing.hello { configuration.helloInterval = hello }
        if let update = routing.update { configuration.updateInterval = update }
        if let holdDown = routing.holdDown { configuration.holdDown = holdDown }
        configuration.apply(routing.damping)
        if let signing = routing.signing {
            let signing = try Self.signing(signing, now: now)
            // Neighbours refuse what lies outside the certified block: it is not announced.
            configuration.prefixes = configuration.prefixes.filter(signing.identity.credential.ownedPrefix.owns)
            configuration.signing = signing
        }
        // A restarted node must not look like a replay to neighbours that remember its last
        // packet counter: it counts on from the wall clock's nanoseconds. Its own routes start
        // from a random sequence number, as babeld's do (an older one is raised on request).
        configuration.firstPacketCounter = UInt64(max(0, Date().timeIntervalSince1970 * 1e9))
        configuration.firstSeqno = UInt16.random(in: .min ... .max)
        core = DelayVectorRouting(configuration, now: now)
        self.ends = ends
        emulatedRates = config.interfaces.map { $0.emulateLink ? $0.rate : nil }
        var configured: [RoutePrefix: Route] = [:]
        for route in config.routes {
            guard let index = config.interfaces.firstIndex(where: { $0.name == route.interface }) else { continue }
            configured[route.prefix] = NodeDataPlane.makeRoute(interface: index, toDelay: route.toDelay, toHops: route.toHops)
        }
        self.configured = configured
    }

    /// The router's identity (its key file must be private to the node's user) with its
    /// certificate, which must be the trusted registrar's for that key; certificates are
    /// checked against the wall clock at start plus the node's monotonic time since.
    static func signing(_ signing: NodeConfig.Routing.Signing, now: Nanoseconds) throws -> RoutingSigning {
        let identity: DeviceIdentity
        do { identity = try KeyFile.read(signing.identity) } catch { throw ToolError("routing: identity: \(error)") }
        let certificate: AddressCertificate
        do { certificate = try AddressCertificate(parsing: signing.certificate) } catch {
            throw ToolError("routing: the certificate does not decode (\(error)); write the one the registrar issued (`nip up` writes it)")
        }
        guard certificate.subjectKey == identity.publicKey else {
            throw ToolError("routing: the certificate is for another key than \(signing.identity)'s; use the key it was issued for, or a certificate for this key")
        }
        let trust = RoutingTrust.registrar(publicKey: signing.registrarKey, domain: signing.domain)
        let unixNow = UInt64(max(0, Date().timeIntervalSince1970))
        return RoutingSigning(identity: RouterIdentity(identity: identity, credential: .certificate(certificate)), trust: trust,
                              unixTimeAtZero: unixNow &- UInt64(max(0, now) / 1_000_000_000))
    }

    /// When a datagram of `count` bytes read at `now` on `interface` began to arrive.
    func firstBit(of count: Int, on interface: Int, readAt now: Nanoseconds) -> Nanoseconds {
        guard interface < emulatedRates.count, let rate = emulatedRates[interface] else { return now }
        return now - rate.serialisation(bytes: count)
    }

    /// Notes the changes `NodeCore.follow` installed; a lost route's prefix falls back to its
    /// static route, if the file has one (returned, for the driver to put back).
    func noteChanges(_ changes: [RouteChange], now: Nanoseconds) -> [(RoutePrefix, Route)] {
        var restore: [(RoutePrefix, Route)] = []
        for change in changes {
            lastChange = now
            if change.new != nil {
                changedAt[change.prefix] = now
            } else {
                changedAt[change.prefix] = nil
                if let route = configured[change.prefix] { restore.append((change.prefix, route)) }
            }
        }
        return restore
    }

    func isLearned(_ prefix: RoutePrefix) -> Bool { changedAt[prefix] != nil }
}

extension Node {
    /// Sends the first hellos (on the loop, once the sockets are up).
    func startRouting() {
        loop.execute { [self] in serviceRouting(now: Self.now()) }
    }

    /// A routing datagram delivered to the node from the neighbour on `interface`.
    func routingReceived(_ packet: borrowing PacketBuffer, on interface: Int, now: Nanoseconds) {
        guard let routing else { return }
        let dialect = config.dialect
        let arrival = routing.firstBit(of: packet.count, on: interface, readAt: kernelReceiveTime ?? now)
        let before = routing.core.statistics
        packet.withUnsafeBytes { bytes in
            guard let datagram = NodeCore.routingDatagram(in: bytes, dialect: dialect) else { return }
            routing.core.receive(UnsafeRawBufferPointer(rebasing: bytes[datagram]), on: interface, now: now, timestamp: arrival)
        }
        let after = routing.core.statistics
        for (count, what) in [(after.badMAC - before.badMAC, "a wrong HMAC (not this link's key)"),
                              (after.missingMAC - before.missingMAC, "no HMAC trailer"),
                              (after.replayed - before.replayed, "a replayed packet counter"),
                              (after.malformed - before.malformed, "a malformed packet"),
                              (after.unsigned - before.unsigned, "unsigned (unsigned)"),
                              (after.badSignature - before.badSignature, "a signature not its key's (bad_signature)"),
                              (after.untrustedKey - before.untrustedKey, "a key no trusted certificate vouches for (untrusted_key)"),
                              (after.prefixNotOwned - before.prefixNotOwned, "a prefix outside the sender's certified block (prefix_not_owned)")]
            where count > 0 {
            logProblem(interface, "routing packet refused: \(what)", now: now)
        }
        serviceRouting(now: now)
    }

    /// Runs the protocol's timers when due, sends what it owes, installs what it changed, and
    /// arms the timer for its next deadline.
    func serviceRouting(now: Nanoseconds) {
        guard let routing, !isStopping else { return }
        if routing.core.nextDeadline <= now {
            for transmission in routing.core.poll(now: now) {
                guard let end = routing.ends[transmission.interface],
                      let bytes = NodeCore.routingPacket(transmission.datagram, from: end.own, to: end.peer, dialect: config.dialect),
                      let arrival = dataPlane.send(bytes, onLink: transmission.interface, now: now) else { continue }
                handle(arrival, ingress: appIndex, now: now)
            }
        }
        let changes = dataPlane.core.follow(&routing.core)
        for (prefix, route) in routing.noteChanges(changes, now: now) { dataPlane.insert(route, for: prefix) }
        for change in changes {
            logger.debug("route changed", metadata: ["prefix": "\(change.prefix)", "old": "\(change.old.map(routeText) ?? "-")",
                                                     "new": "\(change.new.map(routeText) ?? "-")"])
        }
        endOfReadBatch()
        armRoutingTimer(now: now)
    }

    private func routeText(_ route: Route) -> String {
        "\(interfaceName(route.nextHop.interface)) \(UnitText.duration(route.toDelay))/\(route.toHops)"
    }

    private func armRoutingTimer(now: Nanoseconds) {
        guard let routing else { return }
        let next = max(routing.core.nextDeadline, now)
        if let timer = routing.timer {
            if timer.deadline <= next { return }
            timer.task.cancel()
        }
        let task = loop.scheduleTask(deadline: .uptimeNanoseconds(UInt64(max(0, next)))) { [self] in
            self.routing?.timer = nil
            serviceRouting(now: Self.now())
        }
        routing.timer = (next, task)
    }

    /// `GET /routes`: every route of the forwarding table with where it came from (`local`,
    /// `static` from the file, `learned` by the protocol), its metric, next hop and age, then
    /// the protocol's neighbours and counters (`routing` is null on a node without it).
    func routesJSON(now: Nanoseconds) -> JSONValue {
        let selected = routing?.core.selected ?? [:]
        let routes: [JSONValue] = dataPlane.routes.map { prefix, route in
            let local = NodeDataPlane.isLocal(route)
            var entry: [(String, JSONValue)] = [
                ("prefix", .string(prefix.description)),
                ("via", .string(local ? "local" : interfaceName(route.nextHop.interface))),
                ("to-delay", .string(UnitText.duration(route.toDelay))), ("to-hops", .int(route.toHops)),
            ]
            if local {
                entry.append(("source", .string("local")))
            } else if let routing, routing.isLearned(prefix), let selection = selected[prefix] {
                let neighbour = routing.ends[selection.neighbour.interface]?.peer
                entry += [
                    ("source", .string("learned")),
                    ("neighbour", neighbour.map { .string($0.description) } ?? .null),
                    ("neighbour_router", .string(String(selection.neighbour.router))),
                    ("origin", .string(String(selection.origin))), ("seqno", .int(Int(selection.seqno))),
                    ("metric", .object([("delay_ns", .int(Int(selection.metric.delay))), ("hops", .int(selection.metric.hops))])),
                    ("age_ms", .int(Int(max(0, now - (routing.changedAt[prefix] ?? now)) / 1_000_000))),
                ]
            } else {
                entry += [("source", .string("static")), ("age_ms", .int(Int(max(0, now - startTime) / 1_000_000)))]
            }
            return .object(entry)
        }
        return .object([("routes", .array(routes)), ("routing", routing.map { routingJSON($0, now: now) } ?? .null)])
    }

    private func routingJSON(_ routing: RoutingDriver, now: Nanoseconds) -> JSONValue {
        let delays = routing.core.linkDelays
        let neighbours: [JSONValue] = routing.core.neighbourKeys.map { key in
            .object([("interface", .string(interfaceName(key.interface))),
                     ("address", routing.ends[key.interface].map { .string($0.peer.description) } ?? .null),
                     ("router", .string(String(key.router))),
                     ("delay_ns", delays[key].map { .int(Int($0)) } ?? .null)])
        }
        let c = routing.core.statistics
        return .object([
            ("protocol", .string(NodeConfig.Routing.ProtocolName.delayVector.rawValue)),
            ("router_id", .string(String(routing.core.configuration.routerID))),
            ("interfaces", .array(routing.ends.indices.filter { routing.ends[$0] != nil }.map { .string(interfaceName($0)) })),
            ("neighbours", .array(neighbours)),
            ("last_change_ms", routing.lastChange.map { .int(Int(max(0, now - $0) / 1_000_000)) } ?? .null),
            ("counters", .object([
                ("packets_received", .int(c.packetsReceived)), ("packets_sent", .int(c.packetsSent)), ("bytes_sent", .int(c.bytesSent)),
                ("malformed", .int(c.malformed)), ("missing_mac", .int(c.missingMAC)), ("bad_mac", .int(c.badMAC)),
                ("unsigned", .int(c.unsigned)), ("bad_signature", .int(c.badSignature)), ("untrusted_key", .int(c.untrustedKey)),
                ("prefix_not_owned", .int(c.prefixNotOwned)), ("replayed", .int(c.replayed)), ("own_router_id", .int(c.ownRouterID)), ("disabled_interface", .int(c.disabledInterface)),
                ("skipped_messages", .int(c.skippedMessages)), ("bad_timestamps", .int(c.badTimestamps)),
                ("unknown_neighbour", .int(c.unknownNeighbour)), ("own_prefix_announced", .int(c.ownPrefixAnnounced)),
                ("absurd_metric", .int(c.absurdMetric)), ("unfeasible_updates", .int(c.unfeasibleUpdates)),
                ("seqno_requests", .int(c.seqnoRequests)), ("neighbours_lost", .int(c.neighboursLost)),
                ("route_changes", .int(c.routeChanges)),
            ])),
        ])
    }
}
