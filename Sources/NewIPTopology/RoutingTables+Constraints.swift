import NewIPDataPlane
import NewIPWire

extension RoutingTables {
    /// Routes that honour senders' path constraints (docs/topology.md, *Path constraints*):
    /// for each distinct constraint the flows carry, shortest-delay routing (the same
    /// Dijkstra, ties by hops then node index) over the New IP links whose both ends are
    /// allowed — hosts as end points, and the routers the constraint allows — towards each
    /// destination those flows send to. Per node: constraint → routes (prefix, route with
    /// LBF's path knowledge of the constrained path). A router the constraint excludes, or
    /// one with no allowed way to a destination, gets no route for it.
    public static func constrainedRoutes(for topology: Topology)
        -> [[PathConstraintItem: [(prefix: RoutePrefix, route: Route)]]] {
        var result = Array(repeating: [PathConstraintItem: [(prefix: RoutePrefix, route: Route)]](), count: topology.nodes.count)
        var destinations: [PathConstraintItem: [Int]] = [:]
        var order: [PathConstraintItem] = []
        for flow in topology.flows {
            guard let item = topology.pathConstraintItem(of: flow) else { continue }
            if destinations[item] == nil { order.append(item) }
            if !(destinations[item]?.contains(flow.destination.node) ?? false) { destinations[item, default: []].append(flow.destination.node) }
        }
        guard !order.isEmpty else { return result }
        let plans = topology.domainPlans()
        let peers = neighbours(topology)
        for item in order {
            let allowedRouters = topology.allowedRouters(for: item, plans: plans)
            let allowed = topology.nodes.indices.map { topology.nodes[$0].kind == .host || allowedRouters.contains($0) }
            var incoming = Array(repeating: [(node: Int, interface: Int, delay: Nanoseconds)](), count: topology.nodes.count)
            for (node, interfaces) in peers.enumerated() where allowed[node] {
                for (interface, peer) in interfaces.enumerated() where peer.node >= 0 && allowed[peer.node] {
                    guard topology.network(of: Topology.InterfaceID(node: node, interface: interface)) == .newIP else { continue }
                    incoming[peer.node].append((node, interface, peer.delay))
                }
            }
            let graph = SearchGraph(topology: topology, incoming: incoming)
            for node in topology.nodes.indices where topology.nodes[node].kind.forwards { result[node][item] = [] }
            for destination in destinations[item]! {
                let found = shortestPaths(to: destination, in: graph)
                for (source, path) in found.enumerated() where source != destination && allowed[source] {
                    guard let path, topology.nodes[source].kind.forwards else { continue }
                    let hop = NextHop(interface: path.interface, neighbour: NeighbourID(rawValue: UInt64(path.next)))
                    let route = Route(nextHop: hop, toDelay: path.delay, toHops: path.hops)
                    for prefix in destinationPrefixes(of: destination, in: .newIP, topology: topology) {
                        result[source][item, default: []].append((prefix, route))
                    }
                }
            }
        }
        return result
    }
}
