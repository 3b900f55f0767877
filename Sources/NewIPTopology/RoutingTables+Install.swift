import NewIPDataPlane

/// Where `RoutingTables.forEachRoute` puts the routes it computes: routes one at a time, in
/// each node's installation order, and the shortest-path routes a batch of searches at a time.
protocol RouteInstaller {
    /// Every node is about to get a route for at most each of `prefixes` (some repeated).
    mutating func reserve(forEachNode prefixes: some Collection<RoutePrefix>)
    mutating func install(_ route: Route, for prefix: RoutePrefix, at node: Int)
    /// The routes of `batch`'s searches: for each node, search by search in batch order.
    mutating func install(_ batch: [RoutingTables.SearchedPaths])
}

extension RouteInstaller {
    mutating func install(_ batch: [RoutingTables.SearchedPaths]) {
        for searched in batch {
            searched.forEachRoute(from: 0..<searched.paths.count) { node, prefix, route in install(route, for: prefix, at: node) }
        }
    }
}

extension RoutingTables {
    /// One shortest-path search's answer: each node's first step towards `destination`, and
    /// the prefixes a route to it covers.
    struct SearchedPaths: Sendable {
        var destination: Int
        var paths: [PathStep?]
        var prefixes: [RoutePrefix]

        /// Calls `install` with the route of every node of `sources` that reaches the
        /// destination (the destination itself excepted), one per prefix, in node order.
        func forEachRoute(from sources: Range<Int>, _ install: (Int, RoutePrefix, Route) -> Void) {
            for source in sources where source != destination {
                guard let path = paths[source] else { continue }
                let hop = NextHop(interface: path.interface, neighbour: NeighbourID(rawValue: UInt64(path.next)))
                let route = Route(nextHop: hop, toDelay: path.delay, toHops: path.hops)
                for prefix in prefixes { install(source, prefix, route) }
            }
        }
    }

    /// Every node's routes as a list, in installation order.
    struct RouteListInstaller: RouteInstaller {
        var routes: [[(prefix: RoutePrefix, route: Route)]]

        mutating func reserve(forEachNode prefixes: some Collection<RoutePrefix>) {
            for node in routes.indices { routes[node].reserveCapacity(routes[node].count + prefixes.count) }
        }

        mutating func install(_ route: Route, for prefix: RoutePrefix, at node: Int) { routes[node].append((prefix, route)) }
    }

    /// Every node's forwarding table. A batch is inserted on `threads` threads, each owning a
    /// contiguous range of nodes (neighbouring tables share cache lines), so each table
    /// receives its routes in the same order whatever the number of threads.
    struct TableInstaller: RouteInstaller {
        var tables: [ForwardingTable]
        let threads: Int

        /// Sizes each table's hash tables once for all its computed routes.
        mutating func reserve(forEachNode prefixes: some Collection<RoutePrefix>) {
            var lengths: [(example: RoutePrefix, count: Int)] = []
            for prefix in prefixes {
                if let index = lengths.firstIndex(where: { $0.example.hasSameLength(as: prefix) }) {
                    lengths[index].count += 1
                } else {
                    lengths.append((prefix, 1))
                }
            }
            let counts = lengths
            forOwnedNodes { tables, nodes in
                for node in nodes {
                    for (example, count) in counts { tables[node].reserveCapacity(additional: count, forLengthOf: example) }
                }
            }
        }

        mutating func install(_ route: Route, for prefix: RoutePrefix, at node: Int) { tables[node].insert(route, for: prefix) }

        /// Node by node, each node's routes of the whole batch at once: its table stays in
        /// cache for them (search by search, every insert would go to another table).
        mutating func install(_ batch: [SearchedPaths]) {
            forOwnedNodes { tables, nodes in
                for node in nodes {
                    for searched in batch {
                        searched.forEachRoute(from: node..<node + 1) { node, prefix, route in tables[node].insert(route, for: prefix) }
                    }
                }
            }
        }

        /// Runs `body` on `threads` threads, each with its own contiguous range of nodes.
        private mutating func forOwnedNodes(_ body: @Sendable (UnsafeMutableBufferPointer<ForwardingTable>, Range<Int>) -> Void) {
            let count = tables.count
            let parts = max(1, min(threads, count))
            tables.withUnsafeMutableBufferPointer { buffer in
                let owned = DisjointTables(tables: buffer)
                _ = ParallelMap.map(parts, threads: parts) { part in body(owned.tables, count * part / parts ..< count * (part + 1) / parts) }
            }
        }
    }

    /// The tables shared by the inserting threads: each writes only the nodes it owns.
    private struct DisjointTables: @unchecked Sendable {
        let tables: UnsafeMutableBufferPointer<ForwardingTable>
    }
}

private extension RoutePrefix {
    /// Whether `other` has the same family and length, so it goes into the same hash table.
    func hasSameLength(as other: RoutePrefix) -> Bool {
        switch (self, other) {
        case (.compact(let a), .compact(let b)): a.length == b.length
        case (.ipv4(let a), .ipv4(let b)): a.length == b.length
        case (.ipv6(let a), .ipv6(let b)): a.length == b.length
        case (.eightBit, .eightBit): true
        default: false
        }
    }
}
