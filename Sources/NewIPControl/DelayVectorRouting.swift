import NewIPDataPlane
import NewIPWire

/// One router's delay-metric distance-vector routing, in the spirit of Babel (RFC 8966) with
/// RFC 9616's delay measurement, as a pure core: the driver hands it the routing packets
/// that arrived and the time, asks `poll(now:)` for the packets to send on each interface and
/// `nextDeadline` for when to ask again, and installs `takeRouteChanges()` in the forwarding
/// table. It reads no clock and does no I/O, so the emulator runs it in virtual time.
///
/// - Neighbours: a hello every `helloInterval` on each interface; a neighbour is dropped when
///   its hold time passes without one (or at once when the driver says the interface went
///   down). A neighbour's routes are used once it heard us (its IHU names us) and its
///   link's delay was measured.
/// - Delay: each hello carries its send time, the IHU echoes the neighbour's and when it came,
///   so RTT = (t4 − t1) − (t3 − t2) and the link's one-way delay is half of it, smoothed
///   (`SmoothedDelay`).
/// - Routes: metric = the sum of the links' smoothed delays (and the hop count, for LBF).
///   An update is accepted only when feasible (RFC 8966 §3.5.1: a newer sequence number, or
///   the same one and a metric strictly below the feasibility distance this router last
///   advertised), which keeps routes loop-free even while they change. A router whose
///   routes all became unfeasible asks the origin for a new sequence number.
/// - Updates: a full dump every `updateInterval`; a triggered update when a route appears,
///   is lost (a retraction, repeated in the dumps for the hold-down time), changes origin
///   or sequence number, or its metric changes by more than 1/`triggerDivisor`.
/// - Hysteresis: a working route gives way at once only to one that is clearly better (by
///   more than 1/`switchDivisor` of its delay); a slightly better one must stay best for
///   `settleTime`. Delay noise then cannot flip routes, while the converged table is still
///   the shortest-delay one.
public struct DelayVectorRouting {
    public struct Configuration: Sendable {
        public var routerID: UInt64
        /// Per interface index: whether the protocol runs there, and the link's key.
        public var interfaces: [Interface]
        /// The prefixes this router originates (its own addresses).
        public var prefixes: [RoutePrefix]
        /// Whether it passes on routes it learned (false on hosts: they only announce their own).
        public var forwards: Bool
        public var helloInterval: Nanoseconds = 100 * WireTime.nanosecondsPerMillisecond
        public var updateInterval: Nanoseconds = 1_000 * WireTime.nanosecondsPerMillisecond
        /// How long a neighbour or a route is kept without being refreshed, in intervals ×2
        /// (7: RFC 8966's 3.5 intervals).
        public var holdHalfIntervals: Int64 = 7
        /// Retractions of a lost route are repeated in the dumps for this long.
        public var holdDown: Nanoseconds = 2_000 * WireTime.nanosecondsPerMillisecond
        public var triggerDivisor: Int64 = 8
        /// Forwarding routes follow delay changes larger than 1/`installDivisor` (see `takeRouteChanges`).
        public var installDivisor: Int64 = 256
        public var switchDivisor: Int64 = 8
        public var settleTime: Nanoseconds = 1_000 * WireTime.nanosecondsPerMillisecond
        /// Flap damping: after a route moved to another neighbour because of its metric, it
        /// stays there this long unless it becomes unusable (0: off). Caps delay-driven
        /// oscillation at one move per hold, at the price of staying on a worse route meanwhile.
        public var switchHoldTime: Nanoseconds = 0
        /// RFC 9616's smoothing weight on the old value, per mille.
        public var smoothingRetain: Int64 = 836
        /// The largest change of a link's smoothed delay per sample.
        public var maxDelayStep: Nanoseconds = 10 * WireTime.nanosecondsPerMillisecond
        /// Routes longer than this many hops are refused as absurd.
        public var maxHops = 64
        /// Datagram size limit (messages are split over several packets beyond it).
        public var maxPacketBytes = 1_200
        /// The sequence number of the router's own routes at start. A router that restarts
        /// without stable storage picks one at random (as babeld does); a neighbour that still
        /// remembers a newer one asks for more (a seqno request), so its routes come back.
        public var firstSeqno: UInt16 = 0
        /// The packet counter before the first packet. Neighbours remember the last counter
        /// they accepted (replay protection), so a restarted router must not count from zero
        /// again: it starts from its clock (RFC 8967 §4.1 changes the index instead).
        public var firstPacketCounter: UInt64 = 0
        /// Signature mode: packets are signed with the router's identity and must carry a
        /// trusted signature, in place of the links' HMAC keys; `nil`: the links' keys.
        public var signing: RoutingSigning?

        public init(routerID: UInt64, interfaces: [Interface], prefixes: [RoutePrefix], forwards: Bool = true) {
            self.routerID = routerID
            self.interfaces = interfaces
            self.prefixes = prefixes
            self.forwards = forwards
        }

        var neighbourHold: Nanoseconds { helloInterval * holdHalfIntervals / 2 }
        var routeHold: Nanoseconds { updateInterval * holdHalfIntervals / 2 }
    }

    public struct Interface: Sendable {
        public var enabled: Bool
        /// The link's key; `nil`: packets are neither signed nor checked.
        public var key: LinkKey?

        public init(enabled: Bool = true, key: LinkKey? = nil) {
            self.enabled = enabled
            self.key = key
        }
    }

    /// A neighbour: a router heard on an interface.
    public struct NeighbourKey: Hashable, Comparable, Sendable {
        public var interface: Int
        public var router: UInt64

        public init(interface: Int, router: UInt64) {
            self.interface = interface
            self.router = router
        }

        public static func < (a: NeighbourKey, b: NeighbourKey) -> Bool { (a.interface, a.router) < (b.interface, b.router) }
    }

    struct Neighbour {
        var expires: Nanoseconds
        /// The last hello heard: its timestamp and when it came (for our IHU).
        var lastHello: (origin: UInt64, receivedAt: Nanoseconds)?
        /// Until when it is known to hear us.
        var hearsUsUntil: Nanoseconds = .min
        var delay: SmoothedDelay?

        func isUsable(at now: Nanoseconds) -> Bool { delay != nil && hearsUsUntil > now && expires > now }
    }

    struct RouteEntry {
        var origin: UInt64
        var seqno: UInt16
        var advertised: RoutingMetric
        var expires: Nanoseconds
    }

    /// The route in use for a prefix.
    public struct Selection: Hashable, Sendable {
        public var neighbour: NeighbourKey
        public var origin: UInt64
        public var seqno: UInt16
        public var metric: RoutingMetric

        public init(neighbour: NeighbourKey, origin: UInt64, seqno: UInt16, metric: RoutingMetric) {
            self.neighbour = neighbour
            self.origin = origin
            self.seqno = seqno
            self.metric = metric
        }
    }

    struct SourceKey: Hashable {
        var prefix: RoutePrefix
        var origin: UInt64
    }

    /// RFC 8966's feasibility distance of a source: the best metric advertised with its newest seqno.
    struct FeasibilityDistance {
        var seqno: UInt16
        var metric: RoutingMetric
    }

    public let configuration: Configuration
    private var ownPrefixes: Set<RoutePrefix>
    private var seqno: UInt16 = 0
    private var helloSeqno: UInt16 = 0
    private var packetCounter: UInt64 = 0
    private var nextHello: Nanoseconds
    private var nextDump: Nanoseconds
    private var neighbours: [NeighbourKey: Neighbour] = [:]
    /// The highest packet counter accepted from each sender on each interface (kept when the
    /// neighbour expires, so an old packet replayed later is still refused).
    private var counters: [NeighbourKey: UInt64] = [:]
    /// Signature mode: the key and credential each neighbour last proved, and the block it
    /// owns (checked once per credential, not per packet).
    private var vouched: [NeighbourKey: (publicKey: [UInt8], credential: RouterCredential, owns: RoutePrefixOwnership)] = [:]
    private var table: [RoutePrefix: [NeighbourKey: RouteEntry]] = [:]
    /// No entry of `table` expires before this (an early bound: refreshed entries move on).
    private var nextEntryExpiry: Nanoseconds = .max
    public private(set) var selected: [RoutePrefix: Selection] = [:]
    private var distances: [SourceKey: FeasibilityDistance] = [:]
    /// Prefixes lost, with the end of their hold-down.
    private var retracting: [RoutePrefix: Nanoseconds] = [:]
    /// A slightly better route waiting out `settleTime`, and since when it is best.
    private var challengers: [RoutePrefix: (neighbour: NeighbourKey, since: Nanoseconds)] = [:]
    /// Routes that moved lately, kept where they are until the time given (`switchHoldTime`).
    private var heldUntil: [RoutePrefix: Nanoseconds] = [:]
    private var triggered: Set<RoutePrefix> = []
    private var requestedUpdates: [Int: Set<RoutePrefix>] = [:]
    private var pendingDumps: Set<Int> = []
    private var pendingHellos: Set<Int> = []
    private var pendingRequests: [(interface: Int, message: RoutingMessage)] = []
    /// Seqno requests recently sent or forwarded, not repeated before the time given.
    private var recentRequests: [SourceKey: (seqno: UInt16, until: Nanoseconds)] = [:]
    private var changes: [RouteChange] = []
    /// The forwarding route last reported per prefix.
    private var installed: [RoutePrefix: Route] = [:]
    public private(set) var statistics = RoutingCounters()

    public init(_ configuration: Configuration, now: Nanoseconds) {
        self.configuration = configuration
        ownPrefixes = Set(configuration.prefixes)
        seqno = configuration.firstSeqno
        packetCounter = configuration.firstPacketCounter
        nextHello = now
        nextDump = now
    }

    // MARK: Input

    /// A routing datagram that arrived on `interface` at `now`; `timestamp` is when its first
    /// bit arrived (a hardware timestamp; `now` when the driver has none), the t4 of the RTT.
    /// Malformed, unauthenticated and replayed packets are counted and dropped.
    public mutating func receive(_ datagram: UnsafeRawBufferPointer, on interface: Int, now: Nanoseconds,
                                 timestamp: Nanoseconds? = nil) {
        guard configuration.interfaces.indices.contains(interface), configuration.interfaces[interface].enabled else {
            statistics.disabledInterface += 1
            return
        }
        let view: RoutingPacketView
        let packet: RoutingPacket
        do throws(WireError) {
            view = try RoutingPacketView(datagram)
            packet = try RoutingPacket(parsing: datagram)
        } catch {
            statistics.malformed += 1
            return
        }
        let from = NeighbourKey(interface: interface, router: packet.sender)
        var owned: RoutePrefixOwnership?
        if let signing = configuration.signing {
            guard let signature = packet.signature else {
                statistics.unsigned += 1
                return
            }
            guard signature.isValid(for: UnsafeRawBufferPointer(rebasing: datagram[0..<view.signatureRange!.upperBound])) else {
                statistics.badSignature += 1
                return
            }
            if let known = vouched[from], known.publicKey == signature.publicKey, known.credential == signature.credential {
                owned = known.owns
            } else {
                guard signing.trust.vouches(for: signature.credential, publicKey: signature.publicKey, unixTime: signing.unixTime(at: now)) else {
                    statistics.untrustedKey += 1
                    return
                }
                owned = signature.credential.ownedPrefix
                vouched[from] = (signature.publicKey, signature.credential, owned!)
            }
        } else if let key = configuration.interfaces[interface].key {
            guard view.macRange != nil else {
                statistics.missingMAC += 1
                return
            }
            guard key.verifies(view) else {
                statistics.badMAC += 1
                return
            }
        }
        guard packet.sender != configuration.routerID else {
            statistics.ownRouterID += 1
            return
        }
        if let last = counters[from], packet.counter <= last {
            statistics.replayed += 1
            return
        }
        counters[from] = packet.counter
        statistics.packetsReceived += 1
        statistics.skippedMessages += packet.skippedMessages
        let arrival = timestamp ?? now
        var sentAt: UInt64?
        for message in packet.messages {
            switch message {
            case .hello(let hello):
                sentAt = hello.timestamp
                heardHello(hello, from: from, now: now, arrival: arrival)
            case .ihu(let ihu):
                guard ihu.neighbour == configuration.routerID, neighbours[from] != nil else { continue }
                heardIHU(ihu, from: from, sentAt: sentAt, now: now, arrival: arrival)
            case .update(let update):
                // A router originates only prefixes its credential proves it owns.
                if let owned, update.origin == packet.sender, !update.isRetraction, !owned.owns(update.prefix) {
                    statistics.prefixNotOwned += 1
                    continue
                }
                heardUpdate(update, from: from, now: now)
            case .routeRequest(let request):
                if let prefix = request.prefix { requestedUpdates[interface, default: []].insert(prefix) } else { pendingDumps.insert(interface) }
            case .seqnoRequest(let request): heardSeqnoRequest(request, from: from, now: now)
            }
        }
    }

    /// The interface lost its carrier (the driver saw the link go down): its neighbours and
    /// their routes go at once instead of at the end of their hold time.
    public mutating func interfaceDown(_ interface: Int, now: Nanoseconds) {
        for key in neighbours.keys.sorted() where key.interface == interface { dropNeighbour(key, now: now) }
    }

    /// The interface came back: hello at once.
    public mutating func interfaceUp(_ interface: Int, now: Nanoseconds) {
        pendingHellos.insert(interface)
    }

    private mutating func heardHello(_ hello: RoutingMessage.Hello, from key: NeighbourKey, now: Nanoseconds, arrival: Nanoseconds) {
        let hold = Nanoseconds(hello.holdTime) * WireTime.nanosecondsPerMicrosecond
        if neighbours[key] == nil {
            neighbours[key] = Neighbour(expires: now + hold)
            // Answer a new neighbour at once, so both measure the link within one round trip.
            pendingHellos.insert(key.interface)
        }
        neighbours[key]!.expires = now + hold
        neighbours[key]!.lastHello = (hello.timestamp, arrival)
    }

    private mutating func heardIHU(_ ihu: RoutingMessage.IHU, from key: NeighbourKey, sentAt: UInt64?, now: Nanoseconds,
                                   arrival: Nanoseconds) {
        let wasUsable = neighbours[key]!.isUsable(at: now)
        neighbours[key]!.hearsUsUntil = neighbours[key]!.expires
        // RFC 9616: our hello left at t1 (echoed), reached the neighbour at t2, its answer left
        // at t3 (the hello in the same packet) and arrived at t4.
        guard let sentAt else {
            statistics.badTimestamps += 1
            return
        }
        let t1 = Nanoseconds(truncatingIfNeeded: ihu.origin), t2 = Nanoseconds(truncatingIfNeeded: ihu.receive)
        let t3 = Nanoseconds(truncatingIfNeeded: sentAt)
        let rtt = (arrival &- t1) &- (t3 &- t2)
        guard t1 <= arrival, arrival - t1 <= configuration.neighbourHold * 2, t2 <= t3, rtt >= 0 else {
            statistics.badTimestamps += 1
            return
        }
        let before = neighbours[key]!.delay?.value
        if neighbours[key]!.delay == nil {
            neighbours[key]!.delay = SmoothedDelay(first: rtt / 2)
        } else {
            neighbours[key]!.delay!.add(rtt / 2, retain: configuration.smoothingRetain, maxStep: configuration.maxDelayStep)
        }
        if !wasUsable { pendingDumps.insert(key.interface) }
        if !wasUsable || before != neighbours[key]!.delay?.value { reselect(via: key, now: now) }
    }

    private mutating func heardUpdate(_ update: RoutingMessage.Update, from key: NeighbourKey, now: Nanoseconds) {
        guard neighbours[key] != nil else {
            statistics.unknownNeighbour += 1
            return
        }
        guard !ownPrefixes.contains(update.prefix), update.origin != configuration.routerID else {
            statistics.ownPrefixAnnounced += 1
            return
        }
        if !update.isRetraction && update.metric.hops > configuration.maxHops {
            statistics.absurdMetric += 1
            return
        }
        let hold = Nanoseconds(update.holdTime) * WireTime.nanosecondsPerMicrosecond
        if update.isRetraction {
            guard table[update.prefix]?[key] != nil else { return }
            table[update.prefix]![key]!.advertised = .infinite
            table[update.prefix]![key]!.expires = now + hold
            nextEntryExpiry = min(nextEntryExpiry, now + hold)
        } else {
            if !isFeasible(update.prefix, origin: update.origin, seqno: update.seqno, metric: update.metric) {
                statistics.unfeasibleUpdates += 1
            }
            let entry = RouteEntry(origin: update.origin, seqno: update.seqno, advertised: update.metric, expires: now + hold)
            let previous = table[update.prefix, default: [:]].updateValue(entry, forKey: key)
            nextEntryExpiry = min(nextEntryExpiry, now + hold)
            // A refresh of a route already weighed changes nothing while the prefix has a route
            // and no challenger (most of every full dump).
            if let previous, previous.origin == entry.origin, previous.seqno == entry.seqno, previous.advertised == entry.advertised,
               selected[update.prefix] != nil, challengers[update.prefix] == nil { return }
        }
        reselect(update.prefix, now: now)
    }

    private mutating func heardSeqnoRequest(_ request: RoutingMessage.SeqnoRequest, from key: NeighbourKey, now: Nanoseconds) {
        if ownPrefixes.contains(request.prefix) {
            guard request.origin == configuration.routerID else { return }
            if Self.isNewer(request.seqno, than: seqno) { seqno = request.seqno }
            if request.seqno == seqno { triggered.insert(request.prefix) } else { requestedUpdates[key.interface, default: []].insert(request.prefix) }
            return
        }
        if let route = selected[request.prefix], route.origin == request.origin, !Self.isNewer(request.seqno, than: route.seqno) {
            requestedUpdates[key.interface, default: []].insert(request.prefix)
            return
        }
        // Forward towards the origin, along the route in use, never back where it came from.
        guard request.hopCount > 1, let route = selected[request.prefix], route.neighbour != key else { return }
        var forwarded = request
        forwarded.hopCount -= 1
        queueSeqnoRequest(forwarded, on: route.neighbour.interface, now: now)
    }

    private mutating func requestNewerSeqno(_ prefix: RoutePrefix, origin: UInt64, now: Nanoseconds) {
        guard let distance = distances[SourceKey(prefix: prefix, origin: origin)] else { return }
        queueSeqnoRequest(.init(seqno: distance.seqno &+ 1, hopCount: UInt8(configuration.maxHops), origin: origin, prefix: prefix),
                          on: nil, now: now)
    }

    private mutating func queueSeqnoRequest(_ request: RoutingMessage.SeqnoRequest, on interface: Int?, now: Nanoseconds) {
        let source = SourceKey(prefix: request.prefix, origin: request.origin)
        if let recent = recentRequests[source], recent.until > now, !Self.isNewer(request.seqno, than: recent.seqno) { return }
        recentRequests[source] = (request.seqno, now + configuration.helloInterval * 4)
        for index in configuration.interfaces.indices where configuration.interfaces[index].enabled && (interface == nil || interface == index) {
            pendingRequests.append((index, .seqnoRequest(request)))
        }
        statistics.seqnoRequests += 1
    }

    // MARK: Route selection

    /// Sequence numbers compare modulo 2^16 (RFC 8966 §3.2.1).
    static func isNewer(_ a: UInt16, than b: UInt16) -> Bool { a != b && (a &- b) < 0x8000 }

    private func isFeasible(_ prefix: RoutePrefix, origin: UInt64, seqno: UInt16, metric: RoutingMetric) -> Bool {
        guard !metric.isInfinite, let distance = distances[SourceKey(prefix: prefix, origin: origin)] else { return true }
        return Self.isNewer(seqno, than: distance.seqno) || (seqno == distance.seqno && metric < distance.metric)
    }

    /// The metric of `entry` through `neighbour`; `nil` when the route cannot be used.
    private func usableMetric(_ prefix: RoutePrefix, _ entry: RouteEntry, via neighbour: NeighbourKey, now: Nanoseconds) -> RoutingMetric? {
        guard entry.expires > now, let link = neighbours[neighbour], link.isUsable(at: now),
              isFeasible(prefix, origin: entry.origin, seqno: entry.seqno, metric: entry.advertised) else { return nil }
        let metric = entry.advertised.adding(link: link.delay!.value)
        return metric.isInfinite ? nil : metric
    }

    private mutating func reselect(via neighbour: NeighbourKey, now: Nanoseconds) {
        for prefix in table.keys.sorted() where table[prefix]![neighbour] != nil { reselect(prefix, now: now) }
    }

    /// Chooses the route for `prefix` (with hysteresis), and records what changed.
    private mutating func reselect(_ prefix: RoutePrefix, now: Nanoseconds) {
        var best: (neighbour: NeighbourKey, metric: RoutingMetric)?
        var current: RoutingMetric?
        /// The shortest route refused only by the feasibility condition.
        var unfeasible: (entry: RouteEntry, metric: RoutingMetric)?
        let old = selected[prefix]
        for (neighbour, entry) in (table[prefix] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let metric = usableMetric(prefix, entry, via: neighbour, now: now) else {
                if !entry.advertised.isInfinite, entry.expires > now, let link = neighbours[neighbour], link.isUsable(at: now) {
                    let metric = entry.advertised.adding(link: link.delay!.value)
                    if unfeasible == nil || metric < unfeasible!.metric { unfeasible = (entry, metric) }
                }
                continue
            }
            if neighbour == old?.neighbour { current = metric }
            if best == nil || metric < best!.metric { best = (neighbour, metric) }
        }
        // Hysteresis: a working route keeps its place against a challenger that is only
        // slightly better until that one has stayed best for `settleTime`.
        var choice = best
        if let old, let current, let candidate = best, candidate.neighbour != old.neighbour {
            choice = (old.neighbour, current)
            if candidate.metric.delay + current.delay / configuration.switchDivisor < current.delay {
                choice = candidate
                challengers[prefix] = nil
            } else if candidate.metric < current {
                if let challenger = challengers[prefix], challenger.neighbour == candidate.neighbour {
                    if now - challenger.since >= configuration.settleTime {
                        choice = candidate
                        challengers[prefix] = nil
                    }
                } else {
                    challengers[prefix] = (candidate.neighbour, now)
                }
            } else {
                challengers[prefix] = nil
            }
        } else {
            challengers[prefix] = nil
        }
        // Flap damping: a route that moved lately stays while it works.
        if let old, let current, let candidate = choice, candidate.neighbour != old.neighbour, let until = heldUntil[prefix], now < until {
            choice = (old.neighbour, current)
        }
        guard let choice else {
            // Only unfeasible routes are left: ask the origin for a newer sequence number (also
            // when the route was lost before, as when the origin restarted with an older one:
            // RFC 8966 §3.8.2.1).
            if let unfeasible { requestNewerSeqno(prefix, origin: unfeasible.entry.origin, now: now) }
            guard let old else { return }
            selected[prefix] = nil
            retracting[prefix] = now + configuration.holdDown
            triggered.insert(prefix)
            record(prefix, old: old, new: nil, now: now)
            return
        }
        // A clearly shorter route is unfeasible (the route in use grew longer, as when a link's
        // delay rose): a newer sequence number from the origin makes it usable (RFC 8966 §3.8.2.2).
        if let unfeasible, unfeasible.metric.delay + choice.metric.delay / configuration.switchDivisor < choice.metric.delay {
            requestNewerSeqno(prefix, origin: unfeasible.entry.origin, now: now)
        }
        let entry = table[prefix]![choice.neighbour]!
        let new = Selection(neighbour: choice.neighbour, origin: entry.origin, seqno: entry.seqno, metric: choice.metric)
        guard new != old else { return }
        if let old, old.neighbour != new.neighbour, configuration.switchHoldTime > 0 { heldUntil[prefix] = now + configuration.switchHoldTime }
        selected[prefix] = new
        retracting[prefix] = nil
        if let old, old.origin == new.origin, old.seqno == new.seqno, old.metric.hops == new.metric.hops,
           abs(old.metric.delay - new.metric.delay) * configuration.triggerDivisor <= old.metric.delay {
            // A small change of delay: the next dump carries it.
        } else {
            triggered.insert(prefix)
        }
        record(prefix, old: old, new: new, now: now)
    }

    /// Reports a change of the forwarding route; a delay change smaller than 1/`installDivisor`
    /// of the installed one (queueing noise in the samples) is not worth a table update.
    private mutating func record(_ prefix: RoutePrefix, old: Selection?, new: Selection?, now: Nanoseconds) {
        let route = new.map(Self.route)
        let installed = installed[prefix]
        guard route != installed else { return }
        if let route, let installed, route.nextHop == installed.nextHop, route.toHops == installed.toHops,
           abs(route.toDelay - installed.toDelay) * configuration.installDivisor <= installed.toDelay { return }
        self.installed[prefix] = route
        changes.append(RouteChange(time: now, prefix: prefix, old: installed, new: route))
        statistics.routeChanges += 1
    }

    static func route(_ selection: Selection) -> Route {
        Route(nextHop: NextHop(interface: selection.neighbour.interface, neighbour: NeighbourID(rawValue: selection.neighbour.router)),
              toDelay: selection.metric.delay, toHops: selection.metric.hops)
    }

    private mutating func dropNeighbour(_ key: NeighbourKey, now: Nanoseconds) {
        guard neighbours.removeValue(forKey: key) != nil else { return }
        statistics.neighboursLost += 1
        for prefix in table.keys.sorted() where table[prefix]![key] != nil {
            table[prefix]![key] = nil
            reselect(prefix, now: now)
        }
    }

    /// Neighbours, routes, hold-downs and challengers whose time came.
    private mutating func expire(now: Nanoseconds) {
        for (key, neighbour) in neighbours.sorted(by: { $0.key < $1.key }) where neighbour.expires <= now { dropNeighbour(key, now: now) }
        if nextEntryExpiry <= now {
            nextEntryExpiry = .max
            for prefix in table.keys.sorted() {
                let stale = table[prefix]!.filter { $0.value.expires <= now }.keys.sorted()
                for key in stale { table[prefix]![key] = nil }
                if table[prefix]!.isEmpty { table[prefix] = nil }
                if !stale.isEmpty { reselect(prefix, now: now) }
                for entry in (table[prefix] ?? [:]).values { nextEntryExpiry = min(nextEntryExpiry, entry.expires) }
            }
        }
        for (prefix, challenger) in challengers.sorted(by: { $0.key < $1.key }) where now - challenger.since >= configuration.settleTime {
            reselect(prefix, now: now)
        }
        for (prefix, until) in retracting where until <= now { retracting[prefix] = nil }
        for (prefix, until) in heldUntil.sorted(by: { $0.key < $1.key }) where until <= now {
            heldUntil[prefix] = nil
            reselect(prefix, now: now)
        }
        for (source, recent) in recentRequests where recent.until <= now { recentRequests[source] = nil }
    }

    // MARK: Output

    /// Forwarding routes that changed since the last call, in the order they changed: a new or
    /// lost route, another next hop or hop count, or a delay that moved by more than
    /// 1/`installDivisor` from the one reported before.
    public mutating func takeRouteChanges() -> [RouteChange] {
        defer { changes.removeAll() }
        return changes
    }

    /// When the core next wants `poll`; `.min` when it has something to send at once.
    public var nextDeadline: Nanoseconds {
        var deadline = min(nextHello, nextDump)
        if !triggered.isEmpty || !pendingDumps.isEmpty || !pendingHellos.isEmpty || !pendingRequests.isEmpty
            || requestedUpdates.values.contains(where: { !$0.isEmpty }) { return .min }
        for neighbour in neighbours.values { deadline = min(deadline, neighbour.expires) }
        deadline = min(deadline, nextEntryExpiry)
        for until in retracting.values { deadline = min(deadline, until) }
        for challenger in challengers.values { deadline = min(deadline, challenger.since + configuration.settleTime) }
        for until in heldUntil.values { deadline = min(deadline, until) }
        return deadline
    }

    /// Runs the timers due at `now` and returns the packets to send, in interface order.
    public mutating func poll(now: Nanoseconds) -> [RoutingTransmission] {
        expire(now: now)
        let hello = now >= nextHello
        let dump = now >= nextDump
        if hello { while nextHello <= now { nextHello += configuration.helloInterval } }
        if dump { while nextDump <= now { nextDump += configuration.updateInterval } }
        var sent: [RoutePrefix: Selection] = [:]
        var transmissions: [RoutingTransmission] = []
        // The same updates go on every interface that gets them: built once.
        var built: [Set<RoutePrefix>: [RoutingMessage]] = [:]
        func updates(_ prefixes: Set<RoutePrefix>) -> [RoutingMessage] {
            if let messages = built[prefixes] { return messages }
            var messages: [RoutingMessage] = []
            for prefix in prefixes.sorted() {
                guard let update = update(for: prefix) else { continue }
                messages.append(.update(update))
                if let selection = selected[prefix] { sent[prefix] = selection }
            }
            built[prefixes] = messages
            return messages
        }
        lazy var everything = ownPrefixes.union(configuration.forwards ? Set(selected.keys) : []).union(retracting.keys)
        for (index, interface) in configuration.interfaces.enumerated() where interface.enabled {
            var first: [RoutingMessage] = []
            if hello || pendingHellos.contains(index) {
                helloSeqno &+= 1
                first.append(.hello(.init(seqno: helloSeqno, holdTime: UInt32(clamping: configuration.neighbourHold / WireTime.nanosecondsPerMicrosecond),
                                          timestamp: UInt64(truncatingIfNeeded: now))))
                for (key, neighbour) in neighbours.sorted(by: { $0.key < $1.key }) where key.interface == index {
                    guard let last = neighbour.lastHello else { continue }
                    first.append(.ihu(.init(neighbour: key.router, origin: last.origin, receive: UInt64(truncatingIfNeeded: last.receivedAt))))
                }
            }
            var messages = updates(dump || pendingDumps.contains(index) ? everything : triggered.union(requestedUpdates[index] ?? []))
            messages += pendingRequests.filter { $0.interface == index }.map(\.message)
            transmissions += packets(first: first, rest: messages, interface: index)
        }
        // The feasibility distance follows what was advertised (RFC 8966 §3.7.3).
        for (prefix, selection) in sent {
            let source = SourceKey(prefix: prefix, origin: selection.origin)
            if let distance = distances[source], !Self.isNewer(selection.seqno, than: distance.seqno) {
                if selection.seqno == distance.seqno, selection.metric < distance.metric { distances[source]!.metric = selection.metric }
            } else {
                distances[source] = FeasibilityDistance(seqno: selection.seqno, metric: selection.metric)
            }
        }
        triggered.removeAll()
        requestedUpdates.removeAll()
        pendingDumps.removeAll()
        pendingHellos.removeAll()
        pendingRequests.removeAll()
        return transmissions
    }

    /// What this router announces for `prefix` now: its own, the route in use (not on hosts),
    /// or a retraction; `nil` when it has nothing to say.
    private func update(for prefix: RoutePrefix) -> RoutingMessage.Update? {
        let hold = UInt32(clamping: configuration.routeHold / WireTime.nanosecondsPerMicrosecond)
        if ownPrefixes.contains(prefix) {
            return .init(holdTime: hold, seqno: seqno, metric: .zero, origin: configuration.routerID, prefix: prefix)
        }
        guard configuration.forwards, !isSummarised(prefix) else { return nil }
        if let route = selected[prefix] {
            return .init(holdTime: hold, seqno: route.seqno, metric: route.metric, origin: route.origin, prefix: prefix)
        }
        guard retracting[prefix] != nil else { return nil }
        return .init(holdTime: hold, seqno: 0, metric: .infinite, origin: configuration.routerID, prefix: prefix)
    }

    /// What a node originates: its `block` (when it has one) and whichever of its `addresses`
    /// lie outside it, each exactly.
    public static func originated(block: CompactAddressPrefix?, addresses: [FrameworkAddress]) -> [RoutePrefix] {
        let outside = addresses.filter { address in
            guard let block, case .compact(let compact) = address else { return true }
            return !block.contains(compact)
        }
        return (block.map { [.compact($0)] } ?? []) + outside.map { RoutePrefix(exactly: $0) }
    }

    /// Whether `prefix` lies inside a shorter prefix this router originates: it is not passed
    /// on, since the aggregate already leads here and the route on from here is this router's
    /// (a router announces its block once, not every host in it).
    private func isSummarised(_ prefix: RoutePrefix) -> Bool {
        guard case .compact(let inner) = prefix else { return false }
        return ownPrefixes.contains { own in
            guard case .compact(let outer) = own else { return false }
            return outer.length < inner.length && outer.contains(inner)
        }
    }

    /// `first` and `rest` in packets of at most `maxPacketBytes`, `first` (hello and IHUs,
    /// which must share a packet for the RTT) in the first; each sealed with the link's key.
    private mutating func packets(first: [RoutingMessage], rest: [RoutingMessage], interface: Int) -> [RoutingTransmission] {
        let trailer = configuration.signing?.identity.trailerLength ?? (configuration.interfaces[interface].key == nil ? 0 : RoutingPacket.macLength)
        let overhead = RoutingPacket.Field.headerLength + trailer
        var groups: [[RoutingMessage]] = []
        var group = first
        var size = overhead + first.reduce(0) { $0 + $1.encodedLength }
        for message in rest {
            if size + message.encodedLength > configuration.maxPacketBytes && !group.isEmpty {
                groups.append(group)
                group = []
                size = overhead
            }
            group.append(message)
            size += message.encodedLength
        }
        if !group.isEmpty { groups.append(group) }
        return groups.map { messages in
            packetCounter += 1
            let packet = RoutingPacket(sender: configuration.routerID, counter: packetCounter, messages: messages)
            let bytes = configuration.signing.map { $0.identity.seal(packet) }
                ?? configuration.interfaces[interface].key.map { $0.seal(packet) } ?? packet.encoded
            statistics.packetsSent += 1
            statistics.bytesSent += bytes.count
            return RoutingTransmission(interface: interface, datagram: bytes)
        }
    }

    // MARK: Observation

    /// The smoothed one-way delay of each neighbour's link (measured ones only).
    public var linkDelays: [NeighbourKey: Nanoseconds] { neighbours.compactMapValues { $0.delay?.value } }

    /// The neighbours currently heard, in order.
    public var neighbourKeys: [NeighbourKey] { neighbours.keys.sorted() }
}

/// A routing datagram to send on an interface (as UDP to port 6696, hop limit 1).
public struct RoutingTransmission: Hashable, Sendable {
    public var interface: Int
    public var datagram: [UInt8]
}

/// A forwarding-table change: `old` → `new` for `prefix` at `time` (`nil`: no route).
public struct RouteChange: Hashable, Sendable {
    public var time: Nanoseconds
    public var prefix: RoutePrefix
    public var old: Route?
    public var new: Route?

    public init(time: Nanoseconds, prefix: RoutePrefix, old: Route?, new: Route?) {
        self.time = time
        self.prefix = prefix
        self.old = old
        self.new = new
    }
}

/// What the routing core refused and did.
public struct RoutingCounters: Hashable, Sendable {
    public var packetsReceived = 0
    public var packetsSent = 0
    public var bytesSent = 0
    /// Packets that do not decode.
    public var malformed = 0
    /// Packets without the trailer the link's key requires.
    public var missingMAC = 0
    /// Packets whose trailer is not the link key's.
    public var badMAC = 0
    /// Signature mode: packets without a signature trailer.
    public var unsigned = 0
    /// Signature mode: packets whose signature is not their key's over their bytes.
    public var badSignature = 0
    /// Signature mode: packets whose key has no credential the router trusts (a certificate
    /// from another registrar or for another key, an address the key does not own).
    public var untrustedKey = 0
    /// Signature mode: updates a router originates for a prefix outside its credential's block.
    public var prefixNotOwned = 0
    /// Packets whose counter is not above the last one accepted from their sender.
    public var replayed = 0
    /// Packets claiming this router's own id.
    public var ownRouterID = 0
    public var disabledInterface = 0
    public var skippedMessages = 0
    /// IHUs whose timestamps give no plausible round trip.
    public var badTimestamps = 0
    public var unknownNeighbour = 0
    /// Updates for a prefix this router originates, from another router.
    public var ownPrefixAnnounced = 0
    public var absurdMetric = 0
    public var unfeasibleUpdates = 0
    public var seqnoRequests = 0
    public var neighboursLost = 0
    public var routeChanges = 0

    public init() {}
}
