import NewIPDataPlane

/// Where `RoutingTables.forEachRoute` puts the routes it computes: routes one at a time, in
/// each node's installation order, and the shortest-path routes a batch of searches at a time.
protocol RouteInstaller {
    /// Every node is about to get a route for at most each of `prefixes` (some repeated).
    mutating func reserve(forEachNode prefixes: some Collection<RoutePrefix>)
    mutating func install(_ route: Route, for prefix: RoutePrefix, at node: Int)
    /// The routes of `batch`'s searches (for each node, search by search in batch order), and
    /// `search(i)` for each i below `searches`, run on `threads` threads: the next batch's
    /// searches, which an installer may run beside this batch's inserts.
    mutating func install(_ batch: [RoutingTables.SearchedPaths], threads: Int, searching searches: Int,
                          _ search: @Sendable (Int) -> [RoutingTables.PathStep?]) -> [[RoutingTables.PathStep?]]
}

extension RouteInstaller {
    mutating func install(_ batch: [RoutingTables.SearchedPaths], threads: Int, searching searches: Int,
                          _ search: @Sendable (Int) -> [RoutingTables.PathStep?]) -> [[RoutingTables.PathStep?]] {
        let found = ParallelMap.map(searches, threads: threads, search)
        for searched in batch {
            for node in searched.paths.indices {
                guard let route = searched.route(from: node) else { continue }
                for prefix in searched.prefixes { install(route, for: prefix, at: node) }
            }
        }
        return found
    }
}

extension RoutingTables {
    /// One shortest-path search's answer: each node's first step towards `destination`, and
    /// the prefixes a route to it covers.
    struct SearchedPaths: Sendable {
        var destination: Int
        var paths: [PathStep?]
        var prefixes: [RoutePrefix]

        /// The route from `source` to the destination (one for each of `prefixes`), if it
        /// reaches it and is not the destination itself.
        func route(from source: Int) -> Route? {
            guard source != destination, let path = paths[source] else { return nil }
            let hop = NextHop(interface: path.interface, neighbour: NeighbourID(rawValue: UInt64(path.next)))
            return Route(nextHop: hop, toDelay: path.delay, toHops: path.hops)
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

        /// The batch's inserts, in ranges of nodes, and the searches are jobs that the threads
        /// take as they come free, so neither waits for the other: the searches first (the
        /// longer jobs), the ranges filling in around them.
        mutating func install(_ batch: [SearchedPaths], threads: Int, searching searches: Int,
                              _ search: @Sendable (Int) -> [PathStep?]) -> [[PathStep?]] {
            let count = tables.count
            // Small enough that a thread done with its last search finds a range left.
            let ranges = batch.isEmpty ? 0 : max(1, min(4 * threads, count))
            return tables.withUnsafeMutableBufferPointer { buffer in
                let owned = DisjointTables(tables: buffer)
                // Neither job throws.
                let found = try! ParallelMap.jobs(searches + ranges, threads: threads) { job -> [PathStep?] in
                    guard job >= searches else { return search(job) }
                    let range = job - searches
                    owned.insert(batch, nodes: count * range / ranges ..< count * (range + 1) / ranges)
                    return []
                }
                return Array(found.prefix(searches))
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

        /// Node by node, each node's routes of the whole batch at once: its table stays in
        /// cache for them (search by search, every insert would go to another table). The
        /// batch is read by index: a copy of a search per node and search took up its arrays
        /// each time, a fifth of the inserts' time.
        func insert(_ batch: [SearchedPaths], nodes: Range<Int>) {
            for node in nodes {
                for search in batch.indices {
                    guard let route = batch[search].route(from: node) else { continue }
                    for prefix in batch[search].prefixes.indices { tables[node].insert(route, for: batch[search].prefixes[prefix]) }
                }
            }
        }
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
