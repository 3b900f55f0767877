import HeapModule
import NewIPDataPlane

/// The forwarding table of every node, computed from a topology.
///
/// Shortest-delay routing runs Dijkstra towards each destination node over link propagation
/// delays (ties: fewer hops, then the lower node index), through routers and gateways but
/// never through hosts. Each node gets, for every address of every other reachable node,
/// the next hop and LBF's path knowledge: `toDelay` the propagation delay left (this node's
/// link included), `toHops` the queues left (this node's included). Every node routes its
/// own addresses to `NextHop.local`; static routes go in last, so they win for equal prefixes.
public enum RoutingTables {
    /// Every node's forwarding table.
    public static func tables(for topology: Topology) -> [ForwardingTable] {
        routes(for: topology).map { routes in
            var table = ForwardingTable()
            for entry in routes { table.insert(entry.route, for: entry.prefix) }
            return table
        }
    }

    /// Every node's routes in the order they are installed (a later one replaces an earlier
    /// one for the same prefix): its own addresses (`NextHop.local`), the computed routes,
    /// then its static routes. For runtimes that configure real nodes from a topology.
    public static func routes(for topology: Topology) -> [[(prefix: RoutePrefix, route: Route)]] {
        var routes: [[(prefix: RoutePrefix, route: Route)]] = topology.nodes.map { node in
            node.interfaces.map { (AddressText.exact($0.address), Route(nextHop: .local)) }
        }
        let peers = neighbours(topology)
        if topology.routing != .static {
            var incoming: [[(node: Int, interface: Int, delay: Nanoseconds)]] = Array(repeating: [], count: topology.nodes.count)
            for (node, interfaces) in peers.enumerated() {
                for (interface, peer) in interfaces.enumerated() where peer.node >= 0 {
                    incoming[peer.node].append((node, interface, peer.delay))
                }
            }
            for destination in topology.nodes.indices
            where topology.routing == .shortestDelay || topology.nodes[destination].kind == .host {
                let paths = shortestPaths(to: destination, in: topology, incoming: incoming)
                for (source, path) in paths.enumerated() where source != destination {
                    guard let path else { continue }
                    let hop = NextHop(interface: path.interface, neighbour: NeighbourID(rawValue: UInt64(path.next)))
                    let route = Route(nextHop: hop, toDelay: path.delay, toHops: path.hops)
                    for interface in topology.nodes[destination].interfaces {
                        routes[source].append((AddressText.exact(interface.address), route))
                    }
                }
            }
        }
        for (index, node) in topology.nodes.enumerated() {
            for route in node.routes {
                let neighbour = peers[index][route.interface]
                let hop = NextHop(interface: route.interface, neighbour: NeighbourID(rawValue: UInt64(neighbour.node)))
                routes[index].append((route.prefix, Route(nextHop: hop)))
            }
        }
        return routes
    }

    /// For each node and interface: the node at the other end of its link, and the delay.
    private static func neighbours(_ topology: Topology) -> [[(node: Int, delay: Nanoseconds)]] {
        var peers = topology.nodes.map { Array(repeating: (node: -1, delay: Nanoseconds(0)), count: $0.interfaces.count) }
        for link in topology.links {
            let (a, b) = link.endpoints
            peers[a.node][a.interface] = (b.node, link.delay)
            peers[b.node][b.interface] = (a.node, link.delay)
        }
        return peers
    }

    private struct PathStep {
        var interface: Int
        var next: Int
        var delay: Nanoseconds
        var hops: Int
    }

    /// The first step of each node's shortest path to `destination`: Dijkstra from the
    /// destination, relaxing each node's incoming links (`incoming[u]`: who reaches u, how).
    private static func shortestPaths(to destination: Int, in topology: Topology,
                                      incoming: [[(node: Int, interface: Int, delay: Nanoseconds)]]) -> [PathStep?] {
        struct Entry: Comparable {
            var delay: Nanoseconds
            var hops: Int
            var node: Int
            static func < (a: Entry, b: Entry) -> Bool { (a.delay, a.hops, a.node) < (b.delay, b.hops, b.node) }
        }
        var best: [PathStep?] = Array(repeating: nil, count: topology.nodes.count)
        var done = Array(repeating: false, count: topology.nodes.count)
        var frontier = Heap<Entry>([Entry(delay: 0, hops: 0, node: destination)])
        while let entry = frontier.popMin() {
            let node = entry.node
            guard !done[node] else { continue }
            done[node] = true
            // Paths may end at a host but never pass through one.
            guard node == destination || topology.nodes[node].kind.forwards else { continue }
            for link in incoming[node] where !done[link.node] {
                let candidate = Entry(delay: entry.delay + link.delay, hops: entry.hops + 1, node: link.node)
                if let current = best[link.node], (current.delay, current.hops) <= (candidate.delay, candidate.hops) { continue }
                best[link.node] = PathStep(interface: link.interface, next: node, delay: candidate.delay, hops: candidate.hops)
                frontier.insert(candidate)
            }
        }
        return best
    }
}
