import NewIPControl
import NewIPDataPlane
import NewIPWire

/// Routers joined by point-to-point links, driven by hand in time order: what a router sends
/// reaches the far end `delay` later, unless `cut` says the link loses it.
struct TestNetwork {
    struct Link {
        var a: (router: Int, interface: Int)
        var b: (router: Int, interface: Int)
        var delay: Nanoseconds
    }

    var routers: [DelayVectorRouting]
    var links: [Link]
    var now: Nanoseconds = 0
    /// Deliveries on the way: (arrival, sequence, router, interface, datagram).
    private var inFlight: [(time: Nanoseconds, sequence: Int, router: Int, interface: Int, datagram: [UInt8])] = []
    private var sequence = 0
    var changes: [[RouteChange]]
    /// Whether a datagram from `router` on `interface` sent at a time is lost.
    var cut: (_ router: Int, _ interface: Int, _ time: Nanoseconds) -> Bool = { _, _, _ in false }
    /// What happens to a datagram `router` sends on its way (a forger's rewriting).
    var rewrite: (_ router: Int, _ datagram: inout [UInt8]) -> Void = { _, _ in }

    static let ms = WireTime.nanosecondsPerMillisecond

    /// Router i originates prefix `prefix(i)` and has one interface per link it is on, in link order.
    init(routers count: Int, links: [(Int, Int, Nanoseconds)], key: LinkKey? = nil,
         adjust: (inout DelayVectorRouting.Configuration) -> Void = { _ in }) {
        var interfaces = Array(repeating: 0, count: count)
        self.links = links.map { a, b, delay in
            defer { interfaces[a] += 1; interfaces[b] += 1 }
            return Link(a: (a, interfaces[a]), b: (b, interfaces[b]), delay: delay)
        }
        routers = (0..<count).map { index in
            var configuration = DelayVectorRouting.Configuration(
                routerID: UInt64(index + 1), interfaces: Array(repeating: .init(key: key), count: interfaces[index]),
                prefixes: [Self.prefix(index)])
            adjust(&configuration)
            return DelayVectorRouting(configuration, now: 0)
        }
        changes = Array(repeating: [], count: count)
    }

    static func prefix(_ router: Int) -> RoutePrefix {
        RoutePrefix(exactly: .compact(CompactAddress("0x\(String(router + 0x10, radix: 16))")!))
    }

    func peer(of router: Int, interface: Int) -> (router: Int, interface: Int, delay: Nanoseconds) {
        for link in links {
            if link.a == (router, interface) { return (link.b.router, link.b.interface, link.delay) }
            if link.b == (router, interface) { return (link.a.router, link.a.interface, link.delay) }
        }
        preconditionFailure("router \(router) has no interface \(interface)")
    }

    /// Hands `datagram` to `router` on `interface` at the current time.
    mutating func inject(_ datagram: [UInt8], to router: Int, on interface: Int) {
        datagram.withUnsafeBytes { routers[router].receive($0, on: interface, now: now) }
        collectChanges()
    }

    /// Runs every delivery and timer up to and including `end`.
    mutating func run(until end: Nanoseconds) {
        while true {
            let deadline = routers.map(\.nextDeadline).min() ?? .max
            let delivery = inFlight.map(\.time).min() ?? .max
            let next = max(min(deadline, delivery), now)
            guard next <= end else { break }
            now = next
            inFlight.sort { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
            while let first = inFlight.first, first.time <= now {
                inFlight.removeFirst()
                first.datagram.withUnsafeBytes { routers[first.router].receive($0, on: first.interface, now: now) }
            }
            for index in routers.indices where routers[index].nextDeadline <= now {
                for transmission in routers[index].poll(now: now) where !cut(index, transmission.interface, now) {
                    let peer = peer(of: index, interface: transmission.interface)
                    sequence += 1
                    var datagram = transmission.datagram
                    rewrite(index, &datagram)
                    inFlight.append((now + peer.delay, sequence, peer.router, peer.interface, datagram))
                }
            }
            collectChanges()
        }
        now = end
    }

    private mutating func collectChanges() {
        for index in routers.indices { changes[index] += routers[index].takeRouteChanges() }
    }

    /// The route `router` uses for `destination`'s prefix.
    func route(_ router: Int, to destination: Int) -> DelayVectorRouting.Selection? {
        routers[router].selected[Self.prefix(destination)]
    }
}
