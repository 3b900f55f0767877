import NewIPDataPlane
import NewIPWire

/// The forwarding table of every node, computed from a topology.
///
/// Shortest-delay routing runs Dijkstra towards each destination node over link propagation
/// delays (ties: fewer hops, then the lower node index), through routers and gateways but
/// never through hosts. Each node gets, for every other reachable node, the next hop and
/// LBF's path knowledge: `toDelay` the propagation delay left (this node's link included),
/// `toHops` the queues left (this node's included) — one route for the destination's
/// `prefix` when it has one (its compact addresses, and its hosts' with their own, more
/// specific routes), else one per address. Every node routes its own addresses to
/// `NextHop.local`; static routes go in last, so they win for equal prefixes.
public enum RoutingTables {
    /// Every node's forwarding table. `progress` hears the share of destinations routed;
    /// the shortest paths are searched, and the routes inserted, on `threads` threads; the
    /// tables are the same whatever their number.
    public static func tables(for topology: Topology, threads: Int = ParallelMap.cores,
                              progress: ((Double) -> Void)? = nil) -> [ForwardingTable] {
        var installer = TableInstaller(tables: Array(repeating: ForwardingTable(), count: topology.nodes.count), threads: threads)
        forEachRoute(in: topology, threads: threads, progress: progress, into: &installer)
        return installer.tables
    }

    /// Every node's routes in the order they are installed (a later one replaces an earlier
    /// one for the same prefix): its own addresses (`NextHop.local`) and, on a gateway, the
    /// names it answers for; the computed routes; then its static routes. For runtimes that
    /// configure real nodes from a topology.
    ///
    /// With several networks (ManyNets), each network is routed on its own links, so a
    /// compact route never leaves by an IP interface and the other way round. A gateway
    /// advertises, in the island, the compact names of IP hosts (`map`) and its
    /// `compact-prefix`es, and on the IP side the IP names of island hosts (`map`) and its
    /// `ipv6-prefix`; a route to a name of a real host carries the path knowledge of the
    /// whole way there (to the gateway, then on to the host).
    public static func routes(for topology: Topology, threads: Int = ParallelMap.cores) -> [[(prefix: RoutePrefix, route: Route)]] {
        var installer = RouteListInstaller(routes: Array(repeating: [], count: topology.nodes.count))
        forEachRoute(in: topology, threads: threads, progress: nil, into: &installer)
        return installer.routes
    }

    /// The prefixes a route to `destination` in `network` covers: its own prefix for the
    /// compact addresses inside it, when it has one, and each other address exactly.
    static func destinationPrefixes(of destination: Int, in network: Topology.Network, topology: Topology) -> [RoutePrefix] {
        let node = topology.nodes[destination]
        var prefixes: [RoutePrefix] = []
        for (index, interface) in node.interfaces.enumerated()
        where topology.network(of: Topology.InterfaceID(node: destination, interface: index)) == network {
            if let prefix = node.prefix, case .compact(let address) = interface.address, prefix.contains(address) {
                if !prefixes.contains(.compact(prefix)) { prefixes.append(.compact(prefix)) }
            } else {
                prefixes.append(RoutePrefix(exactly: interface.address))
            }
        }
        return prefixes
    }

    /// Hands `installer` each route of each node, in the order `routes(for:)` lists them,
    /// without holding them all (a large topology's routes exceed its tables many times).
    /// Shortest paths are searched a batch of searches at a time (a destination's networks in
    /// interface order) on `threads` threads and handed over a batch at a time in destination
    /// order, so each node's order does not depend on the number of threads; the installer
    /// runs the next batch's searches beside the inserts.
    static func forEachRoute<Installer: RouteInstaller>(in topology: Topology, threads: Int, progress: ((Double) -> Void)?,
                                                        into installer: inout Installer) {
        func install(_ node: Int, _ prefix: RoutePrefix, _ route: Route) { installer.install(route, for: prefix, at: node) }
        for (index, node) in topology.nodes.enumerated() {
            for interface in node.interfaces { install(index, RoutePrefix(exactly: interface.address), Route(nextHop: .local)) }
        }
        let advertisements = advertisements(in: topology)
        for advertisement in advertisements {
            install(advertisement.gateway, advertisement.prefix, Route(nextHop: .local))
        }
        let peers = neighbours(topology)
        if topology.routing != .static && topology.routing != .dynamic {
            let networks = topology.nodes.indices.map { node in
                topology.nodes[node].interfaces.indices.map { topology.network(of: Topology.InterfaceID(node: node, interface: $0)) }
            }
            var incoming: [Topology.Network: [[(node: Int, interface: Int, delay: Nanoseconds)]]] = [:]
            for (node, interfaces) in peers.enumerated() {
                for (interface, peer) in interfaces.enumerated() where peer.node >= 0 {
                    let network = networks[node][interface]
                    incoming[network, default: Array(repeating: [], count: topology.nodes.count)][peer.node]
                        .append((node, interface, peer.delay))
                }
            }
            let graphs = incoming.mapValues { SearchGraph(topology: topology, incoming: $0) }
            let none = SearchGraph(topology: topology, incoming: Array(repeating: [], count: topology.nodes.count))
            var cache: [PathKey: [PathStep?]] = [:]
            func paths(to destination: Int, in network: Topology.Network) -> [PathStep?] {
                let key = PathKey(destination: destination, network: network)
                if let cached = cache[key] { return cached }
                let paths = shortestPaths(to: destination, in: graphs[network] ?? none)
                cache[key] = paths
                return paths
            }
            let needed = Set(advertisements.flatMap { [$0.gateway] + ($0.target.map { [$0.node] } ?? []) })
            // Host-only routing skips destinations that are not hosts (and are not needed to
            // reach a gateway's names).
            let destinations = topology.nodes.indices.filter { destination in
                topology.routing == .shortestDelay || topology.nodes[destination].kind == .host || needed.contains(destination)
            }
            // For each destination in interface order, each network once (one network: the
            // classic single pass).
            var searches: [PathKey] = []
            for destination in destinations {
                var seen: [Topology.Network] = []
                for network in networks[destination] where !seen.contains(network) {
                    seen.append(network)
                    searches.append(PathKey(destination: destination, network: network))
                }
            }
            let prefixes = searches.map { destinationPrefixes(of: $0.destination, in: $0.network, topology: topology) }
            installer.reserve(forEachNode: prefixes.joined())
            // Several searches per thread at once (each holds a path step per node): the more, the
            // more routes each table takes while in cache.
            let batchSize = 8 * max(1, threads)
            // Each round searches a batch beside the inserts of the batch before; one more round
            // inserts the last.
            var start = 0
            var pending: [SearchedPaths] = []
            repeat {
                progress?(Double(start) / Double(max(1, searches.count)))
                let jobs = Array(searches[start..<min(start + batchSize, searches.count)])
                let results = installer.install(pending, threads: threads, searching: jobs.count) { index in
                    shortestPaths(to: jobs[index].destination, in: graphs[jobs[index].network] ?? none)
                }
                pending = []
                for (offset, (search, found)) in zip(jobs, results).enumerated() {
                    if needed.contains(search.destination) { cache[search] = found }
                    pending.append(SearchedPaths(destination: search.destination, paths: found, prefixes: prefixes[start + offset]))
                }
                start += jobs.count
            } while !pending.isEmpty
            // Names gateways answer for: the best gateway for each source, the way on included.
            var order: [RoutePrefix] = []
            var offers: [RoutePrefix: [Advertisement]] = [:]
            for advertisement in advertisements {
                if offers[advertisement.prefix] == nil { order.append(advertisement.prefix) }
                offers[advertisement.prefix, default: []].append(advertisement)
            }
            for prefix in order {
                var best: [(delay: Nanoseconds, hops: Int, gateway: Int, step: PathStep)?] = Array(repeating: nil, count: topology.nodes.count)
                for offer in offers[prefix]! {
                    var extra = (delay: Nanoseconds(0), hops: 0)
                    if let target = offer.target {
                        guard let onward = paths(to: target.node, in: topology.network(of: target))[offer.gateway] else { continue }
                        extra = (onward.delay, onward.hops)
                    }
                    for (source, path) in paths(to: offer.gateway, in: offer.network).enumerated() {
                        guard let path, offers[prefix]!.allSatisfy({ $0.gateway != source }) else { continue }
                        let candidate = (delay: path.delay + extra.delay, hops: path.hops + extra.hops, gateway: offer.gateway, step: path)
                        if let current = best[source], (current.delay, current.hops, current.gateway) <= (candidate.delay, candidate.hops, candidate.gateway) {
                            continue
                        }
                        best[source] = candidate
                    }
                }
                for (source, choice) in best.enumerated() {
                    guard let choice else { continue }
                    let hop = NextHop(interface: choice.step.interface, neighbour: NeighbourID(rawValue: UInt64(choice.step.next)))
                    install(source, prefix, Route(nextHop: hop, toDelay: choice.delay, toHops: choice.hops))
                }
            }
        }
        for (index, node) in topology.nodes.enumerated() {
            for route in node.routes {
                let neighbour = peers[index][route.interface]
                let hop = NextHop(interface: route.interface, neighbour: NeighbourID(rawValue: UInt64(neighbour.node)))
                install(index, route.prefix, Route(nextHop: hop))
            }
        }
        progress?(1)
    }

    private struct PathKey: Hashable {
        var destination: Int
        var network: Topology.Network
    }

    /// A name a gateway answers for in one network, and the interface it stands for.
    struct Advertisement {
        var prefix: RoutePrefix
        var network: Topology.Network
        var gateway: Int
        /// The real interface behind the name, when it is one of the topology's.
        var target: Topology.InterfaceID?
    }

    /// What every gateway advertises, in file order: for each binding, the name of a real
    /// interface in the other network (both names when neither is real); then the compact
    /// prefixes and the IPv6 prefix.
    static func advertisements(in topology: Topology) -> [Advertisement] {
        guard topology.dialect == .compact else { return [] }
        var owners: [FrameworkAddress: Topology.InterfaceID] = [:]
        for (node, spec) in topology.nodes.enumerated() {
            for index in spec.interfaces.indices { owners[spec.interfaces[index].address] = Topology.InterfaceID(node: node, interface: index) }
        }
        var result: [Advertisement] = []
        for (index, node) in topology.nodes.enumerated() where node.kind == .gateway {
            guard let spec = node.gateway else { continue }
            for binding in spec.bindings {
                let compact = FrameworkAddress.compact(binding.compact)
                let ipNetwork = Topology.Network(binding.ip, dialect: topology.dialect)
                switch (owners[compact], owners[binding.ip]) {
                case (nil, let ip?):
                    result.append(Advertisement(prefix: RoutePrefix(exactly: compact), network: .newIP, gateway: index, target: ip))
                case (let island?, nil):
                    result.append(Advertisement(prefix: RoutePrefix(exactly: binding.ip), network: ipNetwork, gateway: index, target: island))
                case (nil, nil):
                    result.append(Advertisement(prefix: RoutePrefix(exactly: compact), network: .newIP, gateway: index, target: nil))
                    result.append(Advertisement(prefix: RoutePrefix(exactly: binding.ip), network: ipNetwork, gateway: index, target: nil))
                case (.some, .some):
                    break
                }
            }
            for prefix in spec.compactPrefixes {
                result.append(Advertisement(prefix: .compact(prefix), network: .newIP, gateway: index, target: nil))
            }
            if let prefix = spec.ipv6Prefix {
                result.append(Advertisement(prefix: .ipv6(prefix), network: .ipv6, gateway: index, target: nil))
            }
        }
        return result
    }

    /// For each node and interface: the node at the other end of its link, and the delay.
    static func neighbours(_ topology: Topology) -> [[(node: Int, delay: Nanoseconds)]] {
        var peers = topology.nodes.map { Array(repeating: (node: -1, delay: Nanoseconds(0)), count: $0.interfaces.count) }
        for link in topology.links {
            let (a, b) = link.endpoints
            peers[a.node][a.interface] = (b.node, link.delay)
            peers[b.node][b.interface] = (a.node, link.delay)
        }
        return peers
    }
}
