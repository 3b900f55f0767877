import NewIPDataPlane

extension RoutingTables {
    /// A node's first step on its shortest path to a destination, and what is left of the path.
    struct PathStep: Sendable {
        var interface: Int
        var next: Int
        var delay: Nanoseconds
        var hops: Int
    }

    /// The first step of each node's shortest path to `destination`: Dijkstra from the
    /// destination over `graph`'s incoming links (ties: fewer hops, then the lower node).
    static func shortestPaths(to destination: Int, in graph: SearchGraph) -> [PathStep?] {
        let count = graph.forwards.count
        var best: [PathStep?] = Array(repeating: nil, count: count)
        var done = Array(repeating: false, count: count)
        var frontier = Frontier()
        frontier.insert(Frontier.Entry(delay: 0, hops: 0, node: destination))
        while let entry = frontier.popMin() {
            let node = entry.node
            guard !done[node] else { continue }
            done[node] = true
            // Paths may end at a host but never pass through one.
            guard node == destination || graph.forwards[node] else { continue }
            for index in graph.offsets[node]..<graph.offsets[node + 1] {
                let link = graph.links[index]
                let from = Int(link.node)
                guard !done[from] else { continue }
                let candidate = Frontier.Entry(delay: entry.delay + link.delay, hops: entry.hops + 1, node: from)
                if let current = best[from], (current.delay, current.hops) <= (candidate.delay, candidate.hops) { continue }
                best[from] = PathStep(interface: Int(link.interface), next: node, delay: candidate.delay, hops: candidate.hops)
                frontier.insert(candidate)
            }
        }
        return best
    }

    /// The links a search relaxes, all nodes' in one array (`links[offsets[u]..<offsets[u + 1]]`
    /// reach u), and which nodes paths may pass through: built once, read by every search.
    struct SearchGraph: Sendable {
        struct Link: Sendable {
            var node: Int32
            var interface: Int32
            var delay: Nanoseconds
        }

        var offsets: [Int]
        var links: [Link]
        var forwards: [Bool]

        /// `incoming[u]`: who reaches u, over which of its interfaces, with what delay.
        init(topology: Topology, incoming: [[(node: Int, interface: Int, delay: Nanoseconds)]]) {
            offsets = [0]
            offsets.reserveCapacity(incoming.count + 1)
            links = []
            for lists in incoming {
                for link in lists { links.append(Link(node: Int32(link.node), interface: Int32(link.interface), delay: link.delay)) }
                offsets.append(links.count)
            }
            forwards = topology.nodes.map(\.kind.forwards)
        }
    }

    /// Dijkstra's frontier: a binary min-heap. A search only ever takes the minimum, so this
    /// does less per step than swift-collections' `Heap`, a min-max heap whose sift-down
    /// compares grandchildren too (most of a search's time went there). Entries are distinct
    /// (a node is queued again only with a strictly better path), so the order is total.
    struct Frontier {
        /// Ordered by delay, then hops, then node: hops and node packed in one word.
        struct Entry: Comparable {
            var delay: Nanoseconds
            var hopsAndNode: UInt64
            var node: Int { Int(truncatingIfNeeded: hopsAndNode & 0xFFFF_FFFF) }
            var hops: Int { Int(truncatingIfNeeded: hopsAndNode >> 32) }

            init(delay: Nanoseconds, hops: Int, node: Int) {
                self.delay = delay
                hopsAndNode = UInt64(hops) << 32 | UInt64(node)
            }

            static func < (a: Entry, b: Entry) -> Bool { (a.delay, a.hopsAndNode) < (b.delay, b.hopsAndNode) }
        }

        private var entries: [Entry] = []

        mutating func insert(_ entry: Entry) {
            entries.append(entry)
            var child = entries.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard entry < entries[parent] else { break }
                entries[child] = entries[parent]
                child = parent
            }
            entries[child] = entry
        }

        mutating func popMin() -> Entry? {
            guard let last = entries.popLast() else { return nil }
            guard let first = entries.first else { return last }
            // Moves `last` down from the root, the smaller child up each level.
            var hole = 0
            while true {
                var child = 2 * hole + 1
                guard child < entries.count else { break }
                if child + 1 < entries.count, entries[child + 1] < entries[child] { child += 1 }
                guard entries[child] < last else { break }
                entries[hole] = entries[child]
                hole = child
            }
            entries[hole] = last
            return first
        }
    }
}
