import NewIPDataPlane
import NewIPSecurity
import NewIPWire

/// A node's neighbour discovery on its compact New IP interfaces, as OpenHarmony's `nndisc`
/// does it: a solicitation for one of the interface's addresses is answered with an
/// advertisement, what is heard feeds the `NeighbourTable`, and the table's solicitations go
/// out. A router also sends a hello on each interface every `Hello.interval`: an unsolicited
/// advertisement to `FF04` whose extension area (`NeighbourHelloItem`) carries its hold time
/// and the prefix the link's hosts may form addresses in. Pure: `NodeCore` hands it packets
/// and the time, and sends what it returns on the link.
///
/// Address autoconfiguration (RFC 4862's shape): an interface with a `suffix` and no address
/// forms one in the prefix the first hello offers it, checks it is free with a solicitation
/// without a source, and takes it when no advertisement from that address answers within
/// `retransmitTimer`; a taken address is refused with its reason (`events`, `counters`). An
/// interface with a `publicKey` instead (an open, self-certifying domain) forms the address
/// the key owns in that prefix (`SelfCertifyingAddress`): nobody hands it a suffix.
public struct NeighbourDiscovery: Sendable {
    public struct Hello: Hashable, Sendable {
        public var interval: Nanoseconds
        /// How long a neighbour may count the hello (several intervals, so one loss is no outage).
        public var holdTime: Nanoseconds
        public init(interval: Nanoseconds, holdTime: Nanoseconds) {
            self.interval = interval
            self.holdTime = holdTime
        }
    }

    public struct Interface: Hashable, Sendable {
        /// The interface's own address: the one it answers solicitations for and sends from;
        /// `nil` until autoconfiguration gives it one.
        public var address: CompactAddress?
        /// What its advertisements carry (a MAC on Ethernet; the UDP underlay's endpoint).
        public var linkLayerAddress: [UInt8]
        /// A router's hellos; `nil`: none.
        public var hello: Hello?
        /// The prefix a router's hellos offer the link's hosts.
        public var prefix: CompactAddressPrefix?
        /// A host's suffix: it forms its address in the first prefix a hello offers.
        public var suffix: UInt64?
        /// A self-certifying host's Ed25519 public key: its suffix is the key's hash under the
        /// offered prefix (`SelfCertifyingAddress.generate`); takes the place of `suffix`.
        public var publicKey: [UInt8]?
        /// The address a registered host's certificate names: a formed address that is not
        /// it is refused (the certificate binds the whole address, not the suffix).
        public var certified: CompactAddress?

        public init(address: CompactAddress?, linkLayerAddress: [UInt8] = [], hello: Hello? = nil, prefix: CompactAddressPrefix? = nil,
                    suffix: UInt64? = nil, publicKey: [UInt8]? = nil, certified: CompactAddress? = nil) {
            self.address = address
            self.linkLayerAddress = linkLayerAddress
            self.hello = hello
            self.prefix = prefix
            self.suffix = suffix
            self.publicKey = publicKey
            self.certified = certified
        }

        /// Whether it waits for a hello to form its address.
        var formsAddress: Bool { address == nil && (suffix != nil || publicKey != nil) }
    }

    /// A packet for the neighbour on `interface` only.
    public struct LinkPacket: Hashable, Sendable {
        public var interface: Int
        public var bytes: [UInt8]
    }

    public struct Counters: Hashable, Sendable {
        public var solicitationsReceived = 0
        public var advertisementsReceived = 0
        /// Solicitations for one of our addresses, answered.
        public var answered = 0
        /// Solicitations for an address the interface does not hold (`nndisc_rcv_ns`: -ENXIO).
        public var notOurs = 0
        /// Neighbour-discovery packets refused by the decoder (bad checksum, truncated, ...).
        public var malformed = 0
        public var solicitationsSent = 0
        public var hellosSent = 0
        /// Addresses autoconfiguration took, and refused (taken, or not formable).
        public var addressesConfigured = 0
        public var addressesRefused = 0
        /// Hellos offering a prefix that does not hold the sender's own address: the offer is
        /// ignored (a neighbour may only offer the prefix it is in).
        public var foreignPrefixes = 0
        public init() {}
    }

    /// What autoconfiguration decided.
    public enum Event: Hashable, Sendable {
        /// `address` is the interface's from now on, formed in `router`'s prefix.
        case configured(interface: Int, address: CompactAddress, router: CompactAddress)
        /// No address: `reason` says why (a duplicate, a suffix the prefix cannot hold).
        case refused(interface: Int, address: CompactAddress?, reason: String)
    }

    /// An address being checked: formed from `router`'s prefix, taken at `deadline` unless
    /// an advertisement from it comes first.
    private struct Tentative: Sendable {
        var address: CompactAddress
        var router: CompactAddress
        var deadline: Nanoseconds
    }

    /// Per interface; `nil` where the interface does not run neighbour discovery.
    public private(set) var interfaces: [Interface?]
    /// Autoconfiguration's decisions, oldest first (at most `eventLimit`).
    public private(set) var events: [Event] = []
    public static let eventLimit = 32
    /// Addresses configured since the last `takeConfigured()`, for the node's routes.
    private var newlyConfigured: [Event] = []
    private var tentative: [Int: Tentative] = [:]
    public private(set) var table: NeighbourTable
    public private(set) var counters = Counters()
    /// State changes since the last `takeChanges()` (for logs and routing).
    private var changes: [NeighbourTable.Output] = []
    private var nextHello: [Nanoseconds?]
    /// The last hello heard per interface: who offered which prefix (autoconfiguration).
    public private(set) var offers: [Int: (router: CompactAddress, prefix: CompactAddressPrefix)] = [:]

    public init(interfaces: [Interface?], timers: NeighbourTable.Timers = .init(), now: Nanoseconds) {
        self.interfaces = interfaces
        table = NeighbourTable(timers: timers)
        // The first hellos go out at once, then every interval.
        nextHello = interfaces.map { $0?.hello == nil ? nil : now }
    }

    /// Whether `bytes` (a compact packet that arrived on `interface`) is neighbour discovery;
    /// if so it is taken: answered, learned from or counted as malformed. Cheap for other
    /// packets: one header check.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer, on interface: Int, now: Nanoseconds) -> (taken: Bool, send: [LinkPacket]) {
        guard interfaces.indices.contains(interface), let own = interfaces[interface],
              let view = try? CompactHeaderView(bytes), NeighbourDiscoveryPacket.isNeighbourDiscovery(view) else { return (false, []) }
        let packet: NeighbourDiscoveryPacket
        do throws(WireError) { packet = try NeighbourDiscoveryPacket(view) } catch {
            counters.malformed += 1
            return (true, [])
        }
        // While an address is checked, what claims it ends the check; the rest is heard as usual.
        if let check = tentative[interface], refusesTentative(packet, check, on: interface) { return (true, []) }
        var send: [LinkPacket] = []
        switch packet.message {
        case .solicitation(let solicitation):
            counters.solicitationsReceived += 1
            guard let address = own.address, solicitation.target == address else {
                counters.notOurs += 1
                return (true, [])
            }
            guard let source = packet.header.source else {
                // A duplicate-address check for our address: defended to everyone on the link.
                let defence = NeighbourDiscoveryPacket.advertisement(linkLayerAddress: own.linkLayerAddress, from: address,
                                                                     to: .addressResolution, extensions: helloExtensions(own))
                counters.answered += 1
                return (true, [LinkPacket(interface: interface, bytes: defence.bytes)])
            }
            let answer = NeighbourDiscoveryPacket.advertisement(linkLayerAddress: own.linkLayerAddress, from: address, to: source,
                                                                extensions: helloExtensions(own))
            send.append(LinkPacket(interface: interface, bytes: answer.bytes))
            counters.answered += 1
            // The frame's link-layer source is the driver's, not in the message: a known
            // neighbour keeps the address it advertised.
            let linkLayer = table.neighbour(source, on: interface)?.linkLayerAddress ?? []
            record(table.solicitationReceived(from: source, linkLayerAddress: linkLayer, on: interface, now: now), into: &send)
        case .advertisement(let advertisement):
            counters.advertisementsReceived += 1
            guard let source = packet.header.source else {
                counters.malformed += 1
                return (true, [])
            }
            let hello = try? NeighbourHelloItem.find(in: packet.extensions)
            if let prefix = hello?.prefix, !prefix.contains(source) {
                counters.foreignPrefixes += 1
            } else if let prefix = hello?.prefix {
                offers[interface] = (source, prefix)
                if own.formsAddress, tentative[interface] == nil { send += startCheck(prefix: prefix, own, router: source, on: interface, now: now) }
            }
            let hold = hello.map { Nanoseconds($0.holdMilliseconds) * 1_000_000 }
            record(table.advertisementReceived(from: source, linkLayerAddress: advertisement.linkLayerAddress, holdTime: hold,
                                               on: interface, now: now), into: &send)
        }
        return (true, send)
    }

    /// Runs the table's timers and the hellos due at `now`: what to send.
    public mutating func poll(now: Nanoseconds) -> [LinkPacket] {
        var send: [LinkPacket] = []
        for (interface, check) in tentative.sorted(by: { $0.key < $1.key }) where check.deadline <= now {
            // Nobody answered for it: the address is ours.
            tentative[interface] = nil
            interfaces[interface]!.address = check.address
            counters.addressesConfigured += 1
            note(.configured(interface: interface, address: check.address, router: check.router))
        }
        record(table.poll(now: now), into: &send)
        for interface in interfaces.indices {
            guard let due = nextHello[interface], due <= now, let own = interfaces[interface], let hello = own.hello,
                  let address = own.address else { continue }
            let packet = NeighbourDiscoveryPacket.advertisement(linkLayerAddress: own.linkLayerAddress, from: address,
                                                                to: .addressResolution, extensions: helloExtensions(own))
            send.append(LinkPacket(interface: interface, bytes: packet.bytes))
            counters.hellosSent += 1
            nextHello[interface] = now + hello.interval
        }
        return send
    }

    /// Starts resolving `address` on `interface`.
    public mutating func resolve(_ address: CompactAddress, on interface: Int, now: Nanoseconds) -> [LinkPacket] {
        var send: [LinkPacket] = []
        record(table.resolve(address, on: interface, now: now), into: &send)
        return send
    }

    /// When `poll` next has something to do.
    public var nextDeadline: Nanoseconds? {
        ([table.nextDeadline] + nextHello + tentative.values.map(\.deadline)).compactMap { $0 }.min()
    }

    /// The state changes since the last call.
    public mutating func takeChanges() -> [NeighbourTable.Output] {
        defer { changes.removeAll() }
        return changes
    }

    /// The addresses configured since the last call (the node routes them to itself).
    public mutating func takeConfigured() -> [Event] {
        defer { newlyConfigured.removeAll() }
        return newlyConfigured
    }

    // MARK: Autoconfiguration

    /// Forms the address `own`'s suffix or key names in `prefix` and asks the link whether
    /// anyone holds it.
    private mutating func startCheck(prefix: CompactAddressPrefix, _ own: Interface, router: CompactAddress, on interface: Int,
                                     now: Nanoseconds) -> [LinkPacket] {
        let formed: CompactAddress?
        let why: String
        if let key = own.publicKey {
            formed = SelfCertifyingAddress.generate(prefix: prefix, publicKey: key)?.address
            why = "key \(KeyID(publicKey: key)) has no self-certifying address under the prefix \(prefix) that \(router) offers"
        } else {
            formed = prefix.address(suffix: own.suffix!)
            why = "suffix \(own.suffix!) does not fit the prefix \(prefix) that \(router) offers (or makes no valid address in it)"
        }
        guard let address = formed, own.certified.map({ $0 == address }) != false else {
            refuse(interface, formed, formed == nil ? why : "\(formed!) is not \(own.certified!), the address the host's certificate names: "
                   + "the registrar certified it for another prefix or suffix")
            // One refusal per interface: the suffix is not tried again.
            stopForming(interface)
            return []
        }
        tentative[interface] = Tentative(address: address, router: router, deadline: now + table.timers.retransmitTimer)
        counters.solicitationsSent += 1
        return [LinkPacket(interface: interface, bytes: NeighbourDiscoveryPacket.solicitation(for: address, from: nil).bytes)]
    }

    /// While an address is being checked the interface has none: an advertisement from that
    /// address, or another node's check of the same one, refuses it (`true`).
    private mutating func refusesTentative(_ packet: NeighbourDiscoveryPacket, _ check: Tentative, on interface: Int) -> Bool {
        let taken: String? = switch packet.message {
        case .advertisement where packet.header.source == check.address:
            "an advertisement from \(check.address) answered the duplicate address check"
        case .solicitation(let solicitation) where solicitation.target == check.address && packet.header.source == nil:
            "another node is checking \(check.address) at the same time"
        default: nil
        }
        guard let taken else { return false }
        tentative[interface] = nil
        stopForming(interface)
        refuse(interface, check.address, "\(check.address) is taken: \(taken)")
        return true
    }

    private mutating func stopForming(_ interface: Int) {
        interfaces[interface]!.suffix = nil
        interfaces[interface]!.publicKey = nil
    }

    private mutating func refuse(_ interface: Int, _ address: CompactAddress?, _ reason: String) {
        counters.addressesRefused += 1
        note(.refused(interface: interface, address: address, reason: reason))
    }

    private mutating func note(_ event: Event) {
        if events.count == Self.eventLimit { events.removeFirst() }
        events.append(event)
        if case .configured = event { newlyConfigured.append(event) }
    }

    private func helloExtensions(_ own: Interface) -> [UInt8] {
        guard let hello = own.hello else { return [] }
        let milliseconds = UInt32(clamping: hello.holdTime / 1_000_000)
        return NeighbourHelloItem(holdMilliseconds: milliseconds, prefix: own.prefix).extensionItem
    }

    private mutating func record(_ outputs: [NeighbourTable.Output], into send: inout [LinkPacket]) {
        for output in outputs {
            switch output {
            case .solicit(let target, let interface):
                guard let address = interfaces[interface]?.address else { continue }
                send.append(LinkPacket(interface: interface, bytes: NeighbourDiscoveryPacket.solicitation(for: target, from: address).bytes))
                counters.solicitationsSent += 1
            case .changed:
                changes.append(output)
            }
        }
    }
}
