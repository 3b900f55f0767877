import NewIPDataPlane
@testable import NewIPTopology
import XCTest

/// Routing's Dijkstra: the frontier pops by delay, then hops, then node, and a search breaks
/// ties the same way.
final class ShortestPathsTests: XCTestCase {
    func testFrontierPopsByDelayThenHopsThenNode() {
        typealias Entry = RoutingTables.Frontier.Entry
        var frontier = RoutingTables.Frontier()
        let entries = [Entry(delay: 3, hops: 1, node: 5), Entry(delay: 1, hops: 2, node: 0), Entry(delay: 1, hops: 1, node: 9),
                       Entry(delay: 2, hops: 0, node: 1), Entry(delay: 1, hops: 1, node: 4), Entry(delay: 0, hops: 7, node: 8)]
        for entry in entries { frontier.insert(entry) }
        var popped: [[Int]] = []
        while let entry = frontier.popMin() { popped.append([Int(entry.delay), entry.hops, entry.node]) }
        XCTAssertEqual(popped, [[0, 7, 8], [1, 1, 4], [1, 1, 9], [1, 2, 0], [2, 0, 1], [3, 1, 5]])
    }

    /// 50 entries (a binary heap of six levels, the last partly filled), inserted in a scrambled
    /// order and some popped between inserts, each come out as the least then queued.
    func testFrontierPopsManyEntriesInOrder() {
        typealias Entry = RoutingTables.Frontier.Entry
        // 0, 37, 24, …: i·37 mod 50 visits every number below 50 once.
        let keys = (0..<50).map { $0 * 37 % 50 }
        var frontier = RoutingTables.Frontier()
        var popped: [Int] = []
        for (index, key) in keys.enumerated() {
            // Delay key / 10, then hops key % 10: one order over both.
            frontier.insert(Entry(delay: Nanoseconds(key / 10), hops: key % 10, node: index))
            if index % 10 == 9, let entry = frontier.popMin() { popped.append(Int(entry.delay) * 10 + entry.hops) }
        }
        while let entry = frontier.popMin() { popped.append(Int(entry.delay) * 10 + entry.hops) }
        // Each early pop takes the least of what is in by then: 0 of keys[0...9], 3 (keys[19])
        // of what is left and keys[10...19], then 1, 5, 2; the rest come out sorted.
        XCTAssertEqual(Array(popped.prefix(5)), [0, 3, 1, 5, 2])
        XCTAssertEqual(Array(popped.dropFirst(5)), [4] + Array(6..<50))
    }

    /// A square 0–1–3–2–0 of 1 ms links plus a 3 ms link 0–3: towards node 0, node 3 has two
    /// 2 ms, 2-hop paths and takes the one through the lower node (1); its direct link, one
    /// hop, is slower.
    func testSearchBreaksEqualPathsByTheLowerNode() {
        // incoming[u]: (who reaches u, over which of its interfaces, delay).
        let ms: Nanoseconds = 1_000_000
        let incoming: [[(node: Int, interface: Int, delay: Nanoseconds)]] = [
            [(1, 0, ms), (2, 0, ms), (3, 2, 3 * ms)],
            [(0, 0, ms), (3, 0, ms)],
            [(0, 1, ms), (3, 1, ms)],
            [(1, 1, ms), (2, 1, ms), (0, 2, 3 * ms)],
        ]
        var topology = Topology(name: "square", duration: ms)
        topology.nodes = (0..<4).map { Topology.Node(name: "r\($0)", kind: .router, interfaces: []) }
        let paths = RoutingTables.shortestPaths(to: 0, in: RoutingTables.SearchGraph(topology: topology, incoming: incoming))
        XCTAssertNil(paths[0])
        XCTAssertEqual(paths.compactMap { $0.map { [$0.interface, $0.next, Int($0.delay), $0.hops] } },
                       [[0, 0, Int(ms), 1], [0, 0, Int(ms), 1], [0, 1, Int(2 * ms), 2]])
    }
}
