import Foundation
import NewIPDataPlane
import NewIPJSON
import NewIPRuntime
import NewIPTopology
import XCTest

/// Running a `routing: dynamic` topology's nodes and comparing their learned tables with the
/// shortest-delay oracle (`RoutingTables`), over loopback UDP or raw Ethernet in namespaces.
extension NodeProcessTestCase {
    /// The configurations `nip up` writes, moved to ports the kernel says are free.
    func deployment(_ topology: Topology, namespaces: TopologyDeployment.Namespaces? = nil,
                    linkKey: @escaping (Int) -> [UInt8] = TopologyDeployment.randomLinkKey) -> [NodeConfig] {
        var configs = TopologyDeployment.configs(for: topology, namespaces: namespaces, linkKey: linkKey)
        var used: [Int] = []
        for config in configs {
            used += [config.control.port] + (config.app.map { [$0.port] } ?? [])
            for interface in config.interfaces { if case .udp(let local, _) = interface.link { used.append(local.port) } }
        }
        let free = FreePorts.take(used.count)
        let moved = Dictionary(uniqueKeysWithValues: zip(used, free))
        for index in configs.indices {
            configs[index].control.port = moved[configs[index].control.port]!
            if let app = configs[index].app { configs[index].app!.port = moved[app.port]! }
            for i in configs[index].interfaces.indices {
                if case .udp(var local, var peer) = configs[index].interfaces[i].link {
                    local.port = moved[local.port]!
                    peer.port = moved[peer.port]!
                    configs[index].interfaces[i].link = .udp(local: local, peer: peer)
                }
            }
        }
        return configs
    }

    /// Per destination prefix, the learned route: interface, hops, delay.
    struct Learned: Equatable {
        var via: String
        var hops: Int
        var delay: Int
    }

    func learned(_ config: NodeConfig) throws -> [String: Learned] {
        let answer = try ControlClient.request("GET", config.control, "/routes").value()
        var routes: [String: Learned] = [:]
        for route in try answer.array("routes") where route["source"]?.stringValue == "learned" {
            routes[try route.string("prefix")] = Learned(via: try route.string("via"), hops: try route.int("metric", "hops"),
                                                       delay: try route.int("metric", "delay_ns"))
        }
        return routes
    }

    /// What is still wrong with `config`'s learned routes against the oracle's `expected`
    /// (empty: they agree): a missing or extra destination, another interface or hop count, or
    /// (when `delays`) a delay outside the measurement's bounds.
    func disagreements(_ config: NodeConfig, _ node: Topology.Node, expected: [(prefix: RoutePrefix, route: Route)],
                       delays: Bool = true) throws -> [String] {
        let routes = try learned(config)
        var problems: [String] = []
        var wanted: Set<String> = []
        for (prefix, route) in expected where !route.nextHop.isLocal {
            wanted.insert(prefix.description)
            guard let got = routes[prefix.description] else {
                problems.append("\(config.name): no route to \(prefix)")
                continue
            }
            let via = node.interfaces[route.nextHop.interface].name
            let low = Int(route.toDelay) - 100_000 * route.toHops, high = Int(route.toDelay) + 5_000_000 * route.toHops
            if got.via != via || got.hops != route.toHops || delays && (got.delay < low || got.delay > high) {
                problems.append("\(config.name): \(prefix) via \(got.via) \(got.hops) hops \(got.delay) ns; oracle: via \(via) "
                                + "\(route.toHops) hops \(route.toDelay) ns")
            }
        }
        for prefix in routes.keys where !wanted.contains(prefix) { problems.append("\(config.name): a route to \(prefix) the oracle has not") }
        return problems
    }

    /// Polls until every running node's learned routes agree with the oracle (in next hops and
    /// hop counts only, without `delays`); the seconds it took.
    func converge(_ configs: [NodeConfig], _ topology: Topology, except stopped: Set<String> = [], delays: Bool = true,
                  timeout: Double = 30) throws -> Double {
        let oracle = RoutingTables.routes(for: { var t = topology; t.routing = .shortestDelay; return t }())
        let start = Date()
        var problems: [String] = []
        while Date().timeIntervalSince(start) < timeout {
            problems = []
            for (index, config) in configs.enumerated() where !stopped.contains(config.name) {
                problems += try disagreements(config, topology.nodes[index], expected: oracle[index], delays: delays)
            }
            if problems.isEmpty { return Date().timeIntervalSince(start) }
            usleep(10_000)
        }
        XCTFail("not converged within \(timeout) s:\n\(problems.joined(separator: "\n"))")
        return timeout
    }
}

/// `nip ping` every 10 ms in the background while a test breaks something on the path; what
/// it lost is reported (`summary`), never asserted: it depends on timing.
final class BackgroundPing {
    private let process = Process()
    private let output = Pipe()

    init(nip: String, from: NodeConfig, to destination: String, count: Int) throws {
        process.executableURL = URL(fileURLWithPath: nip)
        process.arguments = ["ping", "--control", from.control.description, "-c", "\(count)", "--interval", "0.01", "--timeout", "1", destination]
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
    }

    /// Waits for the last ping and returns ping's summary line (sent, received, loss, round trips).
    func summary() -> String {
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").first { $0.contains(" sent, ") }.map(String.init) ?? "no summary"
    }
}
